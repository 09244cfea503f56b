"""Proof: generated profiles and launch URLs give launches that verify (sandbox and PyLTI), or a clear refusal."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pylti.common import LTIException, verify_request_common
from sqlalchemy import delete

from app.services.catalog.profiles import FieldError, apply, clean_fields
from app.store import db
from app.store.models import Profile
from tests.factories import make_link, profile_fields
from tests.proof.conftest import scale
from tests.web.test_launch import form_of, post_form

AREA = "signatures"
SANDBOX_ENTITIES = {"24", "25"}
# Any character a spreadsheet or a directory may hold: accents, scripts, emoji, quotes, markup, controls.
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=220)
# A name as people have them: any script, emoji, quotes and markup, rarely a control character.
NAME = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=120)
LOGIN = st.from_regex(r"[a-z0-9][a-z0-9.+_-]{0,30}@[a-z0-9-]{1,20}\.(fr|com|org)", fullmatch=True)
PROFILES = st.fixed_dictionaries(
    {
        "login": LOGIN,
        # The sandbox's own entities (24, 25), and anything else, which the import must refuse.
        "entityID": st.one_of(*[st.sampled_from(["24", "25"])] * 3, TEXT),
        "externalID": st.one_of(st.just(""), st.from_regex(r"[0-9]{1,12}", fullmatch=True), TEXT),
        "civility": st.sampled_from(["m", "mme", "MME", "m", "mme", "Mr", ""]),
        "lastname": st.one_of(NAME, NAME, NAME, TEXT),
        "firstname": st.one_of(NAME, NAME, NAME, TEXT),
        "jobTitle": TEXT,
        "filter": st.lists(TEXT, max_size=8),
        "location": st.lists(TEXT, max_size=3),
        "country": st.lists(TEXT, max_size=3),
        "testUser": st.sampled_from(["", "0", "1", "0", "1", "2"]),
    }
)
SETTINGS = settings(
    max_examples=scale(12, 300), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _pylti_verifies(action: str, params: list[tuple[str, str]], key: str, secret: str) -> bool:
    # What a Tool Provider's framework decodes from the posted form: empty fields included (a name that was only
    # control characters is sent, and signed, as spaces).
    form = dict(parse_qsl(urlencode(params), keep_blank_values=True))
    try:
        return verify_request_common({key: {"secret": secret}}, action, "POST", {}, form)
    except LTIException:
        return False


def test_generated_profiles_launch_and_verify_or_are_refused_naming_the_field(
    app, make_gateway, gateway_config, sandbox, proof, artefacts
):
    gateway = make_gateway(GATEWAY_AUTH="header")
    key, secret = gateway_config["TBOOK_LTI_KEY"], gateway_config["TBOOK_LTI_SECRET"]
    with gateway.app_context():
        make_link(connection_type="login")
        make_link("by-id", connection_type="id")

    @SETTINGS
    @given(raw=PROFILES, slug=st.sampled_from(["open-tbook", "by-id"]))
    def launch(raw, slug):
        with gateway.app_context():
            db.session.execute(delete(Profile))
            try:
                cleaned = clean_fields(profile_fields(**raw))
            except FieldError as err:  # the import and the console refuse it, naming the field
                proof.count(AREA, "generated profiles refused at import, naming the field", held=bool(err.field))
                return
            db.session.add(apply(Profile(), cleaned))
            db.session.commit()
        response = gateway.test_client().get(
            f"/launch/{slug}", headers={"X-Remote-User": raw["login"], "Accept": "application/json, text/html;q=0.9"}
        )
        artefacts.append(response.get_data(as_text=True))
        if response.status_code == 422:
            held = bool(response.get_json()["error"].get("field"))
            proof.count(AREA, "generated profiles refused at launch with a 422 naming the field", held=held)
            assert held
            return
        assert response.status_code == 200, response.text[:300]
        action, params = form_of(response.text)
        landed = post_form(action, params)
        where = landed.headers.get("location", "")
        if cleaned["entity_id"] not in SANDBOX_ENTITIES:
            # A number the gateway cannot know to be wrong: the sandbox, as T-book, takes the signed launch and
            # refuses the learner's entity, naming it (a signature it could not verify would be refused first).
            held = landed.status_code == 303 and "No+entity+with+entityID" in where and "signature" not in where
            label = "generated profiles with an entity T-book lacks: signature verified, the entity named"
        else:
            held = landed.status_code == 303 and where.endswith("/home")
            label = "generated profiles launched: the sandbox verified the signature"
        held = proof.count(AREA, label, held=held)
        assert held, where
        held = proof.count(
            AREA,
            "generated profiles launched: PyLTI verified the signature",
            held=_pylti_verifies(action, params, key, secret),
        )
        assert held

    launch()


HOSTS = st.from_regex(r"[a-z][a-z0-9-]{0,15}(\.[a-z0-9-]{1,10}){0,2}\.(fr|example|com)", fullmatch=True)
SEGMENT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)
# Distinct names: python-oauth2 (under PyLTI) cannot sort a repeated query parameter, whoever signed it.
QUERY = st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), st.text(max_size=10), max_size=3)


@SETTINGS
@given(
    scheme=st.sampled_from(["http", "https"]),
    host=HOSTS,
    port=st.sampled_from(["", ":443", ":8443", ":80"]),
    path=st.lists(SEGMENT, min_size=1, max_size=4),
    query=QUERY,
)
def test_generated_launch_urls_verify_with_pylti(
    gateway_config, app, make_gateway, proof, scheme, host, port, path, query
):
    from urllib.parse import quote

    url = f"{scheme}://{host}{port}/" + "/".join(quote(part, safe="") for part in path)
    if query:
        url += "?" + urlencode(list(query.items()))
    gateway = make_gateway(GATEWAY_AUTH="header", TBOOK_LTI_URL=url)
    with gateway.app_context():
        if db.session.query(Profile).count() == 0:
            make_link()
            db.session.add(apply(Profile(), clean_fields(profile_fields())))
            db.session.commit()
    response = gateway.test_client().get("/launch/open-tbook", headers={"X-Remote-User": "jane.doe@example.com"})
    assert response.status_code == 200, response.text[:300]
    action, params = form_of(response.text)
    key, secret = gateway_config["TBOOK_LTI_KEY"], gateway_config["TBOOK_LTI_SECRET"]
    held = proof.count(
        AREA,
        "generated launch URLs (IDN hosts, ports, paths, queries): PyLTI verified",
        held=_pylti_verifies(action, params, key, secret),
    )
    assert held, url
    with gateway.app_context():
        db.engine.dispose()

"""The sandbox's seed data: the ids the gateway's demo and tests rely on."""

from __future__ import annotations

from sandbox.records import EntityRecord, LearnerRecord

#: The client that the sandbox's API credentials belong to (``GET /getClient``).
CLIENT_INFO = {
    "name": "Demo Organisation",
    "logo": "static/demo-organisation.png",
    "description": "Demonstration client of the T-book sandbox",
    "city": "Paris",
    "address": "2 avenue Charles de Gaulle",
    "zip": "75008",
}

#: Owner value of the entities that belong to the sandbox's own client.
OWN_CLIENT = "self"


def seed_entities() -> list[EntityRecord]:
    """Return fresh copies of the seeded entities (two of ours, one of another client)."""
    return [
        EntityRecord(
            "24", "Paris Campus", OWN_CLIENT, "Head office campus", "2 avenue Charles de Gaulle", "Paris", "75008", "FR"
        ),
        EntityRecord("25", "Lyon Campus", OWN_CLIENT, "Regional campus", "10 place Bellecour", "Lyon", "69002", "FR"),
        EntityRecord(
            "99",
            "Other Client Entity",
            "other-client",
            "Belongs to another T-book client",
            "1 rue de la Paix",
            "Paris",
            "75002",
            "FR",
        ),
    ]


def seed_learners() -> list[LearnerRecord]:
    """Return fresh copies of the seeded learners (Jane Doe, learnerID 1)."""
    return [
        LearnerRecord(
            learner_id="1",
            login="jane.doe@example.com",
            entity_id="24",
            civility="mme",
            lastname="Doe",
            firstname="Jane",
            external_id="1001",
            filter=["Session 1"],
            location=["Paris"],
            country=["France"],
        ),
    ]


def seed_teachers() -> list[LearnerRecord]:
    """Return fresh copies of the seeded teachers (Marc Dupont, the demo's teacher).

    Teachers' accounts are created in T-book itself, not through the API (insertLearner makes learners): they are
    kept apart from the learners, so no learner endpoint lists them, and /authToken with userType 2 finds them.
    """
    return [
        LearnerRecord(
            learner_id="T1",
            login="marc.dupont@example.com",
            entity_id="24",
            civility="m",
            lastname="Dupont",
            firstname="Marc",
            external_id="1005",
            job_title="Trainer",
            filter=["Session 1", "Session 2"],
            location=["Paris", "Lyon"],
            country=["France"],
        ),
    ]

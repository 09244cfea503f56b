"""Use cases: the glue between the web layer, the LTI builder, the T-book client and the models."""

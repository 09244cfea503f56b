"""The launch wing: a click's launch (LTI or /authToken), its preview, and T-book's way back to the gateway."""

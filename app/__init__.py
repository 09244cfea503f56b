"""T-book Gateway: an LTI 1.1 Tool Consumer that opens T-book for signed-in intranet users."""

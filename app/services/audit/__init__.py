"""The audit wing: the hash-chained trail, its queries and retention, and the dashboard's figures."""

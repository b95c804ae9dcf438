"""Recording what customers do (searches, result clicks) for the editors, with personal data
redacted before anything is stored; and, later, the reports editors read. No Flask views."""

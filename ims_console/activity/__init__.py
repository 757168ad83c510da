"""The audit trail (IMS jobs, CTS-style traces), how every write records it, and the pages that show it: Activity,
a job's page, an image's Activity tab, the CSV export, the background jobs region."""

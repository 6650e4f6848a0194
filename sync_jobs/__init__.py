"""RQ jobs, the APScheduler clock and its one list of periodic jobs, the Procore push and directory import."""

"""Outreach: asking subcontractors for insurance documents, and the ways they answer.

``requests`` holds what the GC does (request documents, resend an invitation, send gaps) and how a
vendor's documents answer a request; ``cadence`` the reminders, renewals and digests; ``portal`` the
upload link's pages; ``hub`` the Record Hub's passwordless sign-in and list; ``compose`` the emails.
"""

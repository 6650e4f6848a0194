"""procore_client."""

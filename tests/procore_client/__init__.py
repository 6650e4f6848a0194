"""Tests for procore_client."""

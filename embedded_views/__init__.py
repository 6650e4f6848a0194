"""Flask blueprints and templates: pages inside Procore, the subcontractor portal, the compliance hub, admin."""

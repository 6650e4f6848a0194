"""The core of Gapline: settings, models, migrations, the compliance engine, intake, outreach, queue wiring."""

"""govhall core: tenancy, plugins, settings, database, identity, access, web."""

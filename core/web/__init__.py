"""Web layer of the core: middleware, rendering, i18n, error pages, the hall, console and my-space pages."""

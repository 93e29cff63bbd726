"""``govhall payment gateway``: serve the simulated payment gateway (development and demos)."""

from __future__ import annotations

import click


@click.group(help="Unified payment.")
def payment() -> None:
    pass


@payment.command(help="Serve the simulated payment gateway (in memory; for development and demos).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=int)
def gateway(host: str, port: int) -> None:
    import uvicorn

    from plugins.payment.simgateway import create_app

    uvicorn.run(create_app(f"http://{host}:{port}"), host=host, port=port, log_level="warning")

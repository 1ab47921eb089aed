"""Serve the dashboard: Solara's Starlette app under uvicorn, on localhost by default.

Solara reads its settings from the environment when it is first imported, so they are set
here before that: production mode, no telemetry, assets from the installed ``solara-assets``
package (the page loads without any network beyond the server itself).
"""

from __future__ import annotations

import os
import socket
import threading
import webbrowser

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8521

#: Solara settings (environment variables), applied unless already set by the user.
SOLARA_ENV = {
    "SOLARA_APP": "dashboard.app",
    "SOLARA_MODE": "production",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_THEME_LOADER": "plain",
    # Plain http on localhost: session cookies must not ask for https.
    "SOLARA_SESSION_HTTPS_ONLY": "false",
}


def port_is_free(host: str, port: int) -> bool:
    """Whether a TCP port can be bound on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, open_browser: bool = False) -> None:
    """Run the dashboard server until interrupted.

    Parameters
    ----------
    host
        Interface to listen on (default: this machine only).
    port
        TCP port.
    open_browser
        Open the page in the default browser once the server is up.

    Raises
    ------
    OSError
        When the port is taken.
    """
    if not port_is_free(host, port):
        raise OSError(f"port {port} on {host} is in use; choose another with --port")
    for key, value in SOLARA_ENV.items():
        os.environ.setdefault(key, value)
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    # Imported here: part of the optional dashboard extra: only serving needs it.
    import uvicorn

    url = f"http://{host}:{port}/"
    print(f"Synclusive dashboard: {url}  (Ctrl+C stops it)", flush=True)
    if open_browser:
        threading.Timer(2.0, webbrowser.open, args=(url,)).start()
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")

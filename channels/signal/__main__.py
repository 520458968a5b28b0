"""`python -m channels.signal`: run the Signal bridge until SIGTERM or SIGINT.

Environment: SIGNAL_NUMBER (required), SIGNAL_API_URL, RASA_URL, BRIDGE_TOKEN, BRIDGE_HOST, BRIDGE_PORT, and
LOG_LEVEL (INFO). Exits with status 2 and one line on stderr when the configuration is unusable.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from channels.bridge import stop_on_signals
from channels.signal.bridge import Config, ConfigError, SignalBridge
from core.config import get_settings

log = logging.getLogger("channels.signal")


async def run(config: Config) -> None:
    stop = stop_on_signals()
    bridge = SignalBridge(config)
    await bridge.start()
    log.info("Signal bridge started; /send and /health on %s:%d", config.host, bridge.port)
    await stop.wait()
    log.info("stopping the Signal bridge")
    await bridge.stop()
    log.info("Signal bridge stopped")


def main() -> int:
    logging.basicConfig(level=get_settings().log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = Config.from_env()
    except ConfigError as error:
        print(f"channels.signal: {error}", file=sys.stderr)
        return 2
    asyncio.run(run(config))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Luukku's benchmark harness: `make bench` (see bench/README.md).

The servers run with LUUKKU_ENV=production, which needs a key for sealing ids: the harness
sets one (unless LUUKKU_ID_KEY is set already) before anything reads the settings, so that
it, the Luukku servers and the floor it starts all seal and open ids alike.
"""

import os

os.environ.setdefault("LUUKKU_ID_KEY", "THV1a2t1IGJlbmNoIGlkIGtleTogbm90IGEgc2VjcmV0IQ==")

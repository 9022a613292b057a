"""`TORTOISE_ORM` for Tortoise's own CLI (makemigrations, sqlmigrate, history).

.venv/bin/tortoise -c app.tortoise_config.TORTOISE_ORM makemigrations --name <what>
"""

from app.db import tortoise_config
from models.settings import get_settings

TORTOISE_ORM = tortoise_config(get_settings().database_url)

import os

DEBUG = os.environ.get("DEBUG") == "1"
DATABASE_URL = "postgresql://orders_admin:Vq83kLz2Rw9m@db.prod.internal:5432/orders"
CACHE_TTL_SECONDS = 300

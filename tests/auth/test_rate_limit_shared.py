"""Several app servers share one login-throttling store (Redis)."""
import uuid

from caseapp.extensions import limiter
from tests.conftest import csrf_token, make_app

REDIS = "redis://127.0.0.1:6379"


def test_two_app_servers_share_the_login_limit_through_redis(app, database_url):
    username = f"shared-{uuid.uuid4().hex[:8]}"  # a fresh per-username counter
    servers = [make_app(database_url, RATELIMIT_STORAGE_URI=REDIS, LOGIN_LIMIT_PER_USERNAME="6 per minute",
                        LOGIN_LIMIT_PER_ADDRESS="1000 per minute") for _ in range(2)]
    try:
        clients = [server.test_client() for server in servers]
        statuses = []
        for attempt in range(8):
            client = clients[attempt % 2]
            statuses.append(client.post("/login", data={"username": username, "password": "wrong password here",
                                                        "csrf_token": csrf_token(client)}).status_code)
    finally:
        limiter.init_app(app)  # one Limiter per process: give the suite's app its memory store back
    assert statuses[:6] == [200] * 6
    assert statuses[6:] == [429, 429]

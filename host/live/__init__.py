"""Live sessions on the host: each session is a worker process running the core's live session
(`cracktrader.live.Session`), supervised (restarted when it dies), controlled through the API
and watched over a WebSocket. Everything a session is lives in its folder (settings, journal,
worker log), so sessions outlive the host: a restarted host resumes them.

Modules: `accounts` (exchange accounts by name; keys stay in their files), `create` (a request
for a new session, checked), `supervisor` (the sessions and their workers), `worker` (the
process running one session), `api` (the HTTP endpoints), `events` (the WebSocket).
"""

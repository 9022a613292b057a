"""What leaves an action besides its rows: live events on the pub/sub bus (bus.py, events.py;
the API's live connections are app/live.py), e-mail texts and sending (mail.py), and signed
CloudEvents deliveries to authority systems (webhooks.py). Actions write what to send to the
outbox (actions/outbox.py); the outbox worker (app/worker.py) sends it."""

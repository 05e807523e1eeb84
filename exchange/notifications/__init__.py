"""E-mail notifications: a durable outbox written in the transaction of its cause, a worker
that delivers it, the messages' texts, and what each person chose to receive."""

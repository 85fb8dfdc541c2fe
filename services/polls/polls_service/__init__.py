"""The Polls service: a distributex service written in Python with only its standard library.

It joins through the protocol alone (docs/protocol.md): its own manifest,
health, fragments and full pages, the signed identity, channel tokens, and
stream actions published over HTTP to the gateway.
"""

"""OpenStack mode: the protocol over a real cloud's Keystone v3 and Glance v2 (see backend.py)."""

"""The fleet agent, client side: run the suite on this host, keep each result in an on-disk
spool, push spooled results to a GPU Atlas server until each is acknowledged
(``gpuatlas agent``, ``gpuatlas bench host --push``). The server side is ``web/ingest.py``.
"""

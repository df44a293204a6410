"""Readers of every input kind, one module per concept.

The public entry points stay in :mod:`detector.load` (``iter_documents``,
``load_document``, ``LoadStats``); this package holds the pieces:

* :mod:`.raw` — opening files and stdin: gzip, binary and encoding checks;
* :mod:`.records` — turning one decoded record into a ``Document`` (field
  rules, dates, size limit);
* :mod:`.jsonl`, :mod:`.csvfile`, :mod:`.parquet` — record files;
* :mod:`.html` — saved web pages (trafilatura);
* :mod:`.telegram` — Telegram Desktop exports (``result.json``);
* :mod:`.folders` — walking folders, outlet folders and their ids;
* :mod:`.meta` — the ``--meta`` sidecar and the input session that carries it.
"""

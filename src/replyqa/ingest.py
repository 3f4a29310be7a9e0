"""The ingest pipeline: read files → parse → chunk → embed → store, with progress."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Iterable, Iterator

from .errors import ReadError, ReplyQAError
from .parse import parse_reply
from .read import iter_files, read_document
from .records import Reply
from .store import Index, IngestReport

log = logging.getLogger(__name__)


def read_replies(paths: Iterable[str | Path], report: IngestReport) -> Iterator[Reply]:
    """Parsed replies from files and folders; a bad file is logged and recorded, never fatal."""
    for path in iter_files(paths):
        started = time.perf_counter()
        try:
            doc = read_document(path)
            reply = parse_reply(doc.text, doc.source)
            report.parse_seconds += time.perf_counter() - started
            yield reply
        except ReadError as exc:
            log.warning("skipped %s", exc)
            report.failed.append((str(path), str(exc)))
        except (ReplyQAError, ValueError) as exc:
            log.warning("skipped %s: %s", path, exc)
            report.failed.append((str(path), f"{path}: {exc}"))
        except Exception as exc:  # a reader bug must cost one file, never the whole ingest
            log.exception("skipped %s: unexpected %s", path, type(exc).__name__)
            report.failed.append((str(path), f"{path}: unexpected error ({type(exc).__name__}: {exc})"))


def ingest(index: Index, paths: Iterable[str | Path], progress: bool = True) -> IngestReport:
    """Ingest every reply file under ``paths`` into ``index``; returns what happened."""
    from tqdm.auto import tqdm

    report = IngestReport()
    files = list(iter_files(paths))
    with tqdm(total=len(files), unit="file", desc="ingest", disable=not progress) as bar:
        chunks_done = 0

        def counted() -> Iterator[Reply]:
            for reply in read_replies(files, report):
                yield reply
                bar.update(1)
            bar.update(len(report.failed))

        def on_chunks(n: int) -> None:
            nonlocal chunks_done
            chunks_done += n
            bar.set_postfix(chunks=chunks_done, rate=f"{chunks_done / max(bar.format_dict['elapsed'], 1e-9):.1f}/s")

        index.add(counted(), report, on_chunks)
    return report

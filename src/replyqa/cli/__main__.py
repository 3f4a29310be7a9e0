"""``python -m replyqa.cli``: the same command line as ``replyqa``."""
from . import main

main()

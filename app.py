"""Start the replyqa web app: `python app.py` (same as `replyqa serve --sample-if-empty`)."""
from replyqa.cli import main

if __name__ == "__main__":
    main(["serve", "--sample-if-empty"])

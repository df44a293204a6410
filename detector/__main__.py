"""``python -m detector``."""

from detector.cli import main

if __name__ == "__main__":
    main()

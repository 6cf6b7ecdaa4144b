from kiosk.cli import entry

# The guard matters: the face analyser's process is started with "spawn", which imports the
# main module again in the child.
if __name__ == "__main__":
    raise SystemExit(entry())

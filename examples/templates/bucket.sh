#!/bin/sh
# make_bucket / check_bucket of shell-bucket.yaml. Writes outputs as key=value lines to $PORTAL_OUTPUT (shown on the
# workspace) and $PORTAL_SECRET_OUTPUT (encrypted, never shown); a failure names a catalogue code in $PORTAL_ERROR.
set -eu
bucket="/tmp/portal-buckets/$PORTAL_IDEMPOTENCY_KEY"

case "$1" in
  create)
    mkdir -p "$bucket"
    if [ ! -f "$bucket/.password" ]; then
      head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$bucket/.password"
    fi
    echo "created $bucket for $PORTAL_WORKSPACE_NAME ($PORTAL_CPU CPU, $PORTAL_MEMORY_GB GB)"
    echo "bucket_path=$bucket" >> "$PORTAL_OUTPUT"
    echo "bucket_password=$(cat "$bucket/.password")" >> "$PORTAL_SECRET_OUTPUT"
    ;;
  delete)
    rm -rf "$bucket"
    echo "removed $bucket"
    ;;
  check)
    if [ ! -d "$PORTAL_OUT_BUCKET_PATH" ]; then
      printf '{"code": "service_unavailable", "detail": "bucket %s is missing"}' "$PORTAL_OUT_BUCKET_PATH" > "$PORTAL_ERROR"
      # 75 (EX_TEMPFAIL): try again with the step's backoff.
      exit 75
    fi
    echo "bucket $PORTAL_OUT_BUCKET_PATH is there"
    ;;
esac

# Cybernetic warm shell runner (POSIX sh), started as `sh -c "$(cat runner.sh)" SHELL`.
# Protocol: write \001R once booted, read one job line from stdin (then stdin is at end of file),
# write \001S, eval the line. A job line is built by ProcessPool: single-quoted words only, with
# newlines carried as "$__cyb_nl" so the whole job fits on one line. End of file instead of a job
# means "not needed": exit quietly.
__cyb_nl='
'
printf '\001R'
IFS= read -r __cyb_job || exit 0
printf '\001S'
eval "$__cyb_job"

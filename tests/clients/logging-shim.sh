#!/bin/bash
# Stands in for the runtime under test and records every call the clients make, in $log:
#   "<epoch> <pid> <ppid> > argv…" before the call, "<epoch> <pid> < rc=N" after it, and when the
#   call fails, the last lines of its --log file (what containerd and conmon read the error from).
# run.sh installs a copy as $RTC_T/bin/<basename of the runtime> (podman's runtime_supports_json
# and containerd's PATH lookup of `runc` go by that name) with the two paths filled in.
# It never touches stdio: the runtime hands its stdio to the container process.
real=@REAL@
log=@LOG@
printf '%s %s %s >%s\n' "$EPOCHREALTIME" $$ "$PPID" "$(printf ' %q' "$@")" >> "$log"
"$real" "$@"
rc=$?
printf '%s %s < rc=%s\n' "$EPOCHREALTIME" $$ "$rc" >> "$log"
if ((rc != 0)); then
  logfile=
  for ((i = 1; i <= $#; i++)); do
    case ${!i} in
      --log) j=$((i + 1)); logfile=${!j} ;;
      --log=*) logfile=${!i#--log=} ;;
    esac
  done
  [[ -n $logfile && -s $logfile ]] && tail -n 3 "$logfile" | sed "s/^/$EPOCHREALTIME $$ | log: /" >> "$log"
fi
exit "$rc"

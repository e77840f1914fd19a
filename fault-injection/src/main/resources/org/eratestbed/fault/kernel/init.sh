#!/bin/sh
# PID 1 of the era-testbed guest. It loads the modules dm-era needs, brings up the network to reach the
# host's NBD server (10.0.2.2 is the host's loopback under QEMU user networking), then serves the host over
# the serial console, one request a line:
#   run ID TENTHS COMMAND...   start COMMAND in the background, wait up to TENTHS/10 s for it
#   poll ID TENTHS             wait up to TENTHS/10 s more for an earlier command
#   bye                        power off at once
# A finished command is answered between "@@BEGIN ID RC" and "@@END ID", its stdout lines prefixed "O:",
# stderr "E:", kernel log "K:"; one still running is answered "@@BLOCKED ID" and can be polled later.
# Commands run in the background so that one that blocks in the kernel (status on a suspended era device)
# never stops the guest from answering.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
# No udev in the guest: libdevmapper makes the /dev/mapper nodes itself.
export DM_DISABLE_UDEV=1
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
# Kernel messages go to dmesg only, so they never interleave with the answers on the console.
dmesg -n 1
stty -echo
while read -r m; do
    insmod "/lib/modules/$(uname -r)/$m" || echo "@@FAILED insmod $m"
done </etc/era-modules
ip link set lo up
ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up && ip route add default via 10.0.2.2 \
    || echo "@@FAILED network"
mkdir -p /run/jobs

start_job() {
    d=/run/jobs/$1
    mkdir -p "$d"
    dmesg -c >/dev/null
    ( sh -c "$2" >"$d/out" 2>"$d/err" </dev/null; echo $? >"$d/rc.tmp"; dmesg -c >"$d/kmsg"; mv "$d/rc.tmp" "$d/rc" ) &
}

# Waits in 20 ms steps (the caller gives the limit in steps) so a quick command is answered quickly.
report() {
    d=/run/jobs/$1
    n=0
    while [ ! -f "$d/rc" ] && [ "$n" -lt "$2" ]; do
        usleep 20000
        n=$((n + 1))
    done
    if [ -f "$d/rc" ]; then
        echo "@@BEGIN $1 $(cat "$d/rc")"
        sed 's/^/O:/' "$d/out"
        sed 's/^/E:/' "$d/err"
        sed 's/^/K:/' "$d/kmsg"
        echo "@@END $1"
        rm -rf "$d"
    else
        echo "@@BLOCKED $1"
    fi
}

echo "@@READY $(uname -r)"
while IFS= read -r line; do
    line=${line%"$(printf '\r')"}
    verb=${line%% *}
    rest=${line#* }
    id=${rest%% *}
    rest=${rest#* }
    case "$verb" in
        run)
            tenths=${rest%% *}
            start_job "$id" "${rest#* }"
            report "$id" "$((tenths * 5))"
            ;;
        poll)
            report "$id" "$((rest * 5))"
            ;;
        bye)
            poweroff -f
            ;;
        *)
            echo "@@UNKNOWN $line"
            ;;
    esac
done
poweroff -f

#!/bin/sh
# testbed-message-before-preresume on a real kernel, as KernelMessageBeforePreresumeVmTest runs it in the guest.
# /dev/nbd0: a 16 MiB metadata export, /dev/nbd1: a 64 MiB origin export (both zeroed).
# DANGER: the last step oopses the kernel (a NULL pointer dereference in a kworker). Run it in a throw-away VM.
set -e
dmsetup create meta0 --table '0 8192 linear /dev/nbd0 0'
dmsetup create meta1 --table '0 8192 linear /dev/nbd0 8192'
dmsetup create origin0 --table '0 65536 linear /dev/nbd1 0'
dmsetup create origin1 --table '0 65536 linear /dev/nbd1 65536'
# Era metadata in use on meta1: its superblock now says nr_blocks 512.
dmsetup create used --table '0 65536 era /dev/mapper/meta1 /dev/mapper/origin1 128'
dmsetup remove used
# A device whose table has two era targets; the first one's metadata device is suspended before the resume.
dmsetup create victim --notable
printf '0 65536 era /dev/mapper/meta0 /dev/mapper/origin0 128\n65536 65536 era /dev/mapper/meta1 /dev/mapper/origin1 128\n' \
    | dmsetup load victim
dmsetup suspend meta0
# do_resume: dm_swap_table makes the table live, then dm_resume calls each target's preresume in order. The
# first target's preresume commits to meta0 and waits; the second target is live and has not been resumed.
dmsetup resume victim &
sleep 2
dmsetup info victim | grep -E 'State|Tables'   # State: SUSPENDED, Tables present: LIVE
# target_message finds the second target by sector and runs era_message: in_worker0(metadata_checkpoint).
dmsetup message victim 65536 checkpoint &       # never returns
sleep 5
cat /dev/kmsg & sleep 2; kill $!                # BUG: kernel NULL pointer dereference ... metadata_era_rollover

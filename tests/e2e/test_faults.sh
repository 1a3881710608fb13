# SPDX-License-Identifier: GPL-2.0-or-later
# Checker-style scenarios: every mksim fault kind against every command it
# can hit, lock contention, hosts without multikernel support, bad
# sysroots, names and ids, exhausted pools.  After each step the simulated
# kernel's own files (instances/, overlays/tx_*, proc/iomem, the log) are
# read to confirm what was and was not changed.  Sourced by run.sh.

FT_IMAGE=$BUILD/testkernel.elf

# No failed transaction is left unless kerf named it in stderr (those
# of earlier steps, in FT_SEEN, were checked then).
FT_SEEN=
ft_no_silent_leftover() {
	local t
	for t in $(txns); do
		case " $FT_SEEN " in *" $t "*) continue ;; esac
		FT_SEEN="$FT_SEEN $t"
		[ "$(cat "$(mkfs)/overlays/$t/status")" = applied ] && continue
		expect_err "$t"
	done
}
ft_pool_chunk() {
	grep 'Multikernel Memory Pool' "$SYS/proc/iomem" | head -1 |
		sed 's/^ *//; s/-.*//'
}
ft_status() { cat "$(mkfs)/overlays/$1/status"; }

t_ft_baseline_enomem() {
	mk_start
	"$MKSIM" fault "$SYS" baseline-enomem >/dev/null
	kerf init --input="$EXAMPLES/baseline.dts"
	expect_rc 3
	expect_err "could not allocate a contiguous memory chunk"
	expect_err "The kernel kept nothing: there is no pool"
	grep -q 'Multikernel Memory Pool' "$SYS/proc/iomem" &&
		fail "a pool chunk after a failed baseline"
	"$MKSIM" log "$SYS" | grep -q 'fault baseline-enomem fired' ||
		fail "the fault did not fire"
	# nothing was kept: init works once the cause is gone
	init_baseline
}

t_ft_init_cpu_busy() {
	mk_start
	# logical 8 has APIC id 16: memory and CPUs 4-7 are taken first
	"$MKSIM" fault "$SYS" cpu-busy 16 >/dev/null
	kerf init --input="$EXAMPLES/baseline.dts"
	expect_rc 3
	expect_err "a CPU of the baseline could not be taken offline"
	expect_err "it kept a partial pool"
	expect_err "CPUs: 4-7 (of 28 requested; not in the pool: 8-31)"
	expect_err "reboot the host"
	[ "$(cat "$SYS/sys/devices/system/cpu/offline")" = 4-7 ] ||
		fail "offline CPUs: $(cat "$SYS/sys/devices/system/cpu/offline")"
	# the partial pool is visible and init refuses to pretend
	kerf show
	expect_rc 0
	expect_out "CPUs 0/4 used"
	kerf init --input="$EXAMPLES/baseline.dts"
	expect_rc 1
	expect_err "different pool"
	expect_err "CPUs: the pool has 4-7, the file asks for 4-31"
}

t_ft_create_tx_op_each_position() {
	mk_start
	init_baseline
	chunk=$(ft_pool_chunk)
	# instance-create (op 1) then memory-add memory@ (op 2)
	for n in 1 2; do
		before_iomem=$(grep -c mk-instance "$SYS/proc/iomem")
		"$MKSIM" fault "$SYS" tx-op "$n" >/dev/null
		kerf create f$n --cpus=4-5 --memory=1GB --memory-base=0x$chunk \
			--devices=eth0:vf1
		expect_rc 3
		expect_err "did not apply transaction"
		expect_err "could not roll back transaction"
		expect_err "cannot undo one that never ran"
		expect_err "leave it there"
		expect_eq "$(instances)" "" "instances after tx-op $n"
		expect_eq "$(grep -c mk-instance "$SYS/proc/iomem")" \
			"$before_iomem" "iomem regions after tx-op $n"
		ft_no_silent_leftover
	done
	# an operation past the end never fires: the create succeeds
	"$MKSIM" fault "$SYS" tx-op 3 >/dev/null
	kerf create f3 --cpus=4-5 --memory=1GB --memory-base=0x$chunk \
		--devices=eth0:vf1
	expect_rc 0
	"$MKSIM" fault "$SYS" clear >/dev/null
	expect_eq "$(instances)" "f3 " "instances"
	expect_eq "$(inst_file f3 status)" ready
}

t_ft_update_tx_op_each_position() {
	mk_start
	init_baseline
	kerf create u --cpus=4-5 --memory=1GB
	expect_rc 0
	cat "$(mkfs)/instances/u/device_tree" >"$TMP/before.dtb"
	# memory-add, cpu-add x2, device-add: four operations
	for n in 1 2 3 4; do
		"$MKSIM" fault "$SYS" tx-op "$n" >/dev/null
		kerf update u --cpus=4-7 --memory=2GB --devices=eth0:vf2
		expect_rc 3
		expect_err "update instance 'u' (id 1)"
		ft_no_silent_leftover
		cat "$(mkfs)/instances/u/device_tree" >"$TMP/after.dtb"
		cmp -s "$TMP/before.dtb" "$TMP/after.dtb" ||
			fail "instance u changed after tx-op $n"
		expect_eq "$(grep -c 'mk-instance-1-u-' "$SYS/proc/iomem")" 1 \
			"regions of u after tx-op $n"
	done
	"$MKSIM" fault "$SYS" clear >/dev/null
}

t_ft_rmdir_fail_update_rollback() {
	mk_start
	init_baseline
	kerf create a --cpus=4-5 --memory=1GB
	expect_rc 0
	"$MKSIM" fault "$SYS" tx-op 2 >/dev/null
	"$MKSIM" fault "$SYS" rmdir-fail >/dev/null
	kerf update a --cpus=4-7 --memory=2GB
	expect_rc 3
	expect_err "could not roll back transaction tx_3 (change of instance 'a')"
	expect_err "Device or resource busy"
	expect_err "could not take back what the change gave the instance"
	# the wrong reason of before must not come back
	case $ERR in *"would destroy"*) fail "EBUSY blamed on a destroy" ;; esac
	expect_err "The operations the kernel had applied to 'a' were undone"
	expect_eq "$(ft_status tx_3)" failed
	"$MKSIM" log "$SYS" | grep -q 'rmdir-fail fired' ||
		fail "rmdir-fail did not fire"
	kerf show a
	expect_out "4-5 (2)"
	expect_out "1 GiB"
}

t_ft_rmdir_fail_create_rollback() {
	mk_start
	init_baseline
	chunk=$(ft_pool_chunk)
	"$MKSIM" fault "$SYS" tx-op 2 >/dev/null
	"$MKSIM" fault "$SYS" rmdir-fail >/dev/null
	kerf create c --cpus=4-5 --memory=1GB --memory-base=0x$chunk
	expect_rc 3
	expect_err "could not roll back transaction tx_2 (create instance 'c')"
	expect_err "would destroy the instance it created"
	expect_err "removed again"
	expect_eq "$(instances)" "" "instances"
	ft_no_silent_leftover
}

t_ft_load_enomem_and_halt_timeout() {
	[ -f "$FT_IMAGE" ] || fail "$FT_IMAGE was not built"
	mk_start
	init_baseline
	kerf create w --cpus=4-5 --memory=1GB
	expect_rc 0
	"$MKSIM" fault "$SYS" load-enomem >/dev/null
	kerf load --id 1 --kernel="$FT_IMAGE"
	expect_rc 3
	expect_err "ENOMEM"
	expect_eq "$(inst_file w status)" ready
	kerf load w --kernel="$FT_IMAGE"
	expect_rc 0
	kerf exec w
	expect_rc 0
	expect_eq "$(inst_file w status)" active
	"$MKSIM" fault "$SYS" halt-timeout 100 >/dev/null
	kerf kill --id 1
	expect_rc 3
	expect_err "ETIMEDOUT"
	expect_eq "$(inst_file w status)" active
	# cpu-busy keeps a CPU from parking on a forced halt
	"$MKSIM" fault "$SYS" cpu-busy 8 >/dev/null
	kerf kill --force w
	expect_rc 3
	expect_eq "$(inst_file w status)" active
	kerf kill --force w
	expect_rc 0
	expect_eq "$(inst_file w status)" loaded
}

t_ft_lock_contention() {
	[ -f "$FT_IMAGE" ] || fail "$FT_IMAGE was not built"
	mk_start
	init_baseline
	kerf create w --cpus=4-5 --memory=1GB
	kerf load w --kernel="$FT_IMAGE"
	kerf exec w
	expect_rc 0
	# a graceful halt that hangs for 3 s holds the lock meanwhile
	"$MKSIM" fault "$SYS" halt-timeout 3000 >/dev/null
	"$MKSIM" run "$SYS" -- "$KERF" --sysroot "$SYS" kill w \
		>"$TMP/holder.out" 2>&1 &
	holder=$!
	for _ in $(seq 50); do
		[ -s "$SYS/run/kerf.lock" ] && break
		sleep 0.05
	done
	pid=$(cat "$SYS/run/kerf.lock")
	[ -n "$pid" ] || fail "the holder did not write its pid"
	before=$(snapshot)
	KERF_LOCK_TIMEOUT=0.5 kerf create x --cpus=8 --memory=1GB
	expect_rc 3
	expect_err "another kerf is running"
	expect_err "locked by pid $pid"
	expect_err "--lock-timeout"
	kerf --lock-timeout=0.3 delete w
	expect_rc 3
	expect_err "locked by pid $pid"
	kerf --lock-timeout=abc show
	expect_rc 2
	wait "$holder"
	expect_eq "$(instances)" "w " "instances after contention"
	# the lock is free again
	kerf --lock-timeout=5 create x --cpus=8 --memory=1GB
	expect_rc 0
}

t_ft_no_multikernel() {
	# a host directory without sys/fs/multikernel at all
	TMP=$(mktemp -d /tmp/kerf-e2e.XXXXXX)
	trap 'rm -rf "$TMP"' EXIT
	SYS=$TMP/root
	mkdir -p "$SYS/proc" "$SYS/sys/fs"
	echo "proc /proc proc rw 0 0" >"$SYS/proc/mounts"
	for c in "show" "create a --cpus=4 --memory=1GB" "delete a" \
		"update a --cpus=4" "kill a" "unload a" "exec a" \
		"init --input=$EXAMPLES/baseline.dts"; do
		# shellcheck disable=SC2086
		"$KERF" --sysroot "$SYS" $c >"$TMP/out" 2>"$TMP/err"
		RC=$? OUT=$(cat "$TMP/out") ERR=$(cat "$TMP/err")
		expect_rc 4
		expect_err "no multikernel support"
		expect_err "CONFIG_MULTIKERNEL"
	done
	[ -e "$SYS/sys/fs/multikernel" ] && fail "kerf created the mount point"
	# --sysroot at nothing: a usage error naming the path
	for c in show "create a --cpus=4 --memory=1GB" \
		"init --input=$EXAMPLES/baseline.dts"; do
		# shellcheck disable=SC2086
		"$KERF" --sysroot "$TMP/nothing" $c >"$TMP/out" 2>"$TMP/err"
		RC=$? OUT=$(cat "$TMP/out") ERR=$(cat "$TMP/err")
		expect_rc 2
		expect_err "sysroot '$TMP/nothing': No such file or directory"
	done
	[ -e "$TMP/nothing" ] && fail "kerf created the sysroot"
	KERF_SYSROOT=$TMP/nothing "$KERF" show >"$TMP/out" 2>"$TMP/err"
	RC=$? ERR=$(cat "$TMP/err")
	expect_rc 2
}

t_ft_not_mounted() {
	printf 'multikernel-mounted = no\n' >/tmp/kerf-ft-host.$$
	mk_start /tmp/kerf-ft-host.$$
	rm -f /tmp/kerf-ft-host.$$
	# every command mounts it, like init; without a pool create refuses
	kerf create a --cpus=4 --memory=1GB
	expect_rc 1
	expect_err "no baseline has been applied"
	expect_err "kerf init"
	grep -q ' /sys/fs/multikernel multikernel' "$SYS/proc/mounts" ||
		fail "create did not mount"
	init_baseline
	grep -q ' /sys/fs/multikernel multikernel' "$SYS/proc/mounts" ||
		fail "init did not mount"
}

t_ft_names_ids_and_exhaustion() {
	mk_start
	init_baseline
	kerf create web-server --cpus=4-7 --memory=2GB
	expect_rc 0
	before=$(snapshot)
	kerf create "$(printf 'n%.0s' $(seq 32))" --cpus=8 --memory=1GB
	expect_rc 2
	expect_err "longer than 31 characters"
	kerf create a/b --cpus=8 --memory=1GB
	expect_rc 2
	expect_err "invalid instance name 'a/b'"
	kerf create a@b --cpus=8 --memory=1GB
	expect_rc 2
	expect_err "invalid instance name 'a@b'"
	kerf create web-server --cpus=8 --memory=1GB
	expect_rc 1
	expect_err "already exists (id 1"
	kerf delete web-sever
	expect_rc 1
	expect_err "instance 'web-sever' does not exist"
	expect_err "Did you mean 'web-server' (id 1, status ready)?"
	kerf delete --id=9
	expect_rc 1
	expect_err "no instance has id 9"
	kerf create db --cpus=6-9 --memory=1GB
	expect_rc 1
	expect_err "[cpu-overlap]"
	expect_err "In kernel state:"
	expect_err "web-server (id 1, created by transaction 2)"
	kerf create big --cpus=8 --memory=100GB
	expect_rc 1
	expect_err "[mem-over-allocation]"
	expect_err "Free in the memory pool: 12 GiB"
	kerf create many --cpu-count=40 --memory=1GB
	expect_rc 1
	expect_err "40 requested, 24 free"
	expect_eq "$(snapshot)" "$before" "state after refusals"
	kerf show --id=1
	expect_rc 0
	expect_out "Instance 'web-server'"
	kerf delete --id=1
	expect_rc 0
	expect_eq "$(instances)" "" "instances"
}

t_ft_exit_statuses() {
	mk_start
	kerf show
	expect_rc 0
	kerf create a --cpus=4 --memory=1GB
	expect_rc 1
	kerf create
	expect_rc 2
	kerf frobnicate
	expect_rc 2
	"$MKSIM" fault "$SYS" baseline-enomem >/dev/null
	kerf init --input="$EXAMPLES/baseline.dts"
	expect_rc 3
}

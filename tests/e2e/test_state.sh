# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end scenarios of the state-changing commands: init, create,
# delete (update, apply, diff to come).  Sourced by run.sh.

t_seed_workflow() {
	mk_start
	kerf init --input="$EXAMPLES/baseline.dts"
	expect_rc 0
	expect_out "✓ Baseline applied to kernel successfully"
	expect_out "  Baseline: /sys/fs/multikernel/device_tree"
	kerf create web-server --cpus=4-7 --memory=2GB
	expect_rc 0
	expect_eq "$OUT" "✓ Created instance 'web-server' (id 1, transaction 2)"
	kerf create --cpus=8-15 --memory=8GB database
	expect_rc 0
	expect_eq "$OUT" "✓ Created instance 'database' (id 2, transaction 3)"
	expect_eq "$(instances)" "database web-server "
	expect_eq "$(inst_file web-server id)" 1
	expect_eq "$(inst_file database status)" ready
	expect_eq "$(cat "$(mkfs)/overlays/tx_2/status")" applied
	grep -q 'mk-instance-1-web-server-region-0' "$SYS/proc/iomem" ||
		fail "no iomem region for web-server"
}

t_init_twice() {
	mk_start
	init_baseline
	kerf init --input="$EXAMPLES/baseline.dts"
	expect_rc 0
	expect_out "Already initialized"
	kerf init --input="$EXAMPLES/minimal.dts"
	expect_rc 1
	expect_err "different pool"
	expect_err "kerf apply $EXAMPLES/minimal.dts"
}

t_init_dry_run_changes_nothing() {
	mk_start
	before=$(snapshot)
	kerf init --input="$EXAMPLES/baseline.dts" --dry-run
	expect_rc 0
	expect_out "would be applied"
	expect_eq "$(snapshot)" "$before" "state after init --dry-run"
}

t_create_needs_pool() {
	mk_start
	kerf create a --cpus=4 --memory=1GB
	expect_rc 1
	expect_err "kerf init"
}

t_create_conflict_refused() {
	mk_start
	init_baseline
	kerf create web-server --cpus=4-11 --memory=2GB
	expect_rc 0
	before=$(snapshot)
	kerf create database --cpus=8-15 --memory=8GB
	expect_rc 1
	expect_err "ERROR: database: CPU allocation conflict with web-server [cpu-overlap]"
	expect_err "Overlapping CPUs: 8-11"
	expect_eq "$(snapshot)" "$before" "state after a refused create"
}

t_create_dry_run_changes_nothing() {
	mk_start
	init_baseline
	before=$(snapshot)
	kerf --debug create web --cpu-count=4 --memory=1GB --dry-run
	expect_rc 0
	expect_out "Instance ID: 1"
	expect_out "instance-create"
	expect_out "would be created"
	expect_eq "$(snapshot)" "$before" "state after create --dry-run"
}

t_create_refusals() {
	mk_start
	init_baseline
	kerf create a --cpus=4-5 --memory=1GB
	expect_rc 0
	kerf create a --cpus=6 --memory=1GB
	expect_rc 1
	expect_err "already exists"
	kerf create b --cpus=6 --memory=1GB --id=1
	expect_rc 1
	expect_err "id 1 is already used by instance 'a'"
	kerf create c --cpus=40 --memory=1GB
	expect_rc 1
	expect_err "[cpu-exists]"
	kerf create d --cpus=0-1 --memory=1GB
	expect_rc 1
	expect_err "[cpu-host-reserved]"
	kerf create e --cpus=6 --memory=1GB --devices=nvme0:ns2
	expect_rc 1
	expect_err "whole PCI"
	expect_err "--devices=nvme0"
	kerf create f --cpus=6 --memory=1GB --devices=eth9
	expect_rc 1
	expect_err "unknown device 'eth9'"
	kerf create g --cpus=6 --cpu-count=2 --memory=1GB
	expect_rc 2
	kerf create h --cpus=6
	expect_rc 2
	expect_eq "$(instances)" "a " "instances after refusals"
}

t_create_cpu_count_policies() {
	mk_start
	init_baseline
	kerf create c --cpu-count=4 --memory=1GB
	expect_rc 0
	# compact: whole SMT cores on one node (baseline cores are 2k,2k+1)
	kerf show c >/dev/null 2>&1
	kerf create s --cpu-count=4 --memory=1GB --cpu-affinity=spread --dry-run
	expect_rc 0
	expect_out "spread"
	kerf create l --cpu-count=2 --memory=1GB --cpu-affinity=local --numa-nodes=1 --dry-run
	expect_rc 0
	expect_out "CPUs: 16-17"
}

t_create_memory_base() {
	mk_start
	init_baseline
	chunk=$(grep 'Multikernel Memory Pool' "$SYS/proc/iomem" | head -1 |
		sed 's/^ *//; s/-.*//')
	kerf create m --cpus=4 --memory=1GB --memory-base=0x$chunk
	expect_rc 0
	grep -q "^ *$chunk-.* : mk-instance-1-m-region-0" "$SYS/proc/iomem" ||
		fail "region not at 0x$chunk"
	kerf create n --cpus=5 --memory=1GB --memory-base=0x$chunk
	expect_rc 1
	expect_err "overlaps"
	kerf create o --cpus=5 --memory=1GB --memory-base=0x1000
	expect_rc 1
	expect_err "not in the pool"
}

t_delete() {
	mk_start
	init_baseline
	kerf create web-server --cpus=4-7 --memory=2GB
	expect_rc 0
	before=$(snapshot)
	kerf delete web-server --dry-run
	expect_rc 0
	expect_out "would be deleted"
	expect_eq "$(snapshot)" "$before" "state after delete --dry-run"
	kerf delete --id 1
	expect_rc 0
	expect_eq "$OUT" "✓ Deleted instance 'web-server' (id 1, transaction 3)"
	expect_eq "$(instances)" "" "instances after delete"
	kerf delete web-server
	expect_rc 1
	expect_err "does not exist"
	kerf delete
	expect_rc 2
}

t_delete_refused_when_loaded() {
	mk_start
	init_baseline
	kerf create web-server --cpus=4-7 --memory=2GB
	expect_rc 0
	img=$(ls "$BUILD"/tests/*/*.elf "$BUILD"/demo/*.elf 2>/dev/null | head -1)
	[ -n "$img" ] || return 0	# no test image built: nothing to load
	kerf load web-server --kernel="$img"
	[ "$RC" = 0 ] || return 0	# load is another file's; skip if absent
	kerf delete web-server
	expect_rc 1
	expect_err "cannot delete instance 'web-server' (id 1): a kernel is loaded (status: loaded)"
	expect_err "Run 'kerf unload web-server' first."
}

t_faults_leave_nothing() {
	mk_start
	init_baseline
	chunk=$(grep 'Multikernel Memory Pool' "$SYS/proc/iomem" | head -1 |
		sed 's/^ *//; s/-.*//')
	# 1: the instance-create fails; 2: it ran, the memory-add fails
	seen=
	for n in 1 2; do
		"$MKSIM" fault "$SYS" tx-op "$n" >/dev/null 2>&1 ||
			fail "mksim fault tx-op $n"
		kerf create f$n --cpus=4-7 --memory=1GB --memory-base=0x$chunk
		expect_rc 3
		expect_err "dmesg"
		expect_eq "$(instances)" "" "instances after fault tx-op $n"
		# a failed instance-create cannot be rmdir'ed (the kernel's
		# undo of a create that never ran fails): it must be failed
		# and said so
		for t in $(txns); do
			case " $seen " in *" $t "*) continue ;; esac
			seen="$seen $t"
			case $(cat "$(mkfs)/overlays/$t/status") in
			failed) expect_err "$t" ;;
			applied) expect_err "removed again (transaction ${t#tx_})" ;;
			*) fail "leftover $t is neither failed nor the cleanup" ;;
			esac
		done
	done
}

t_concurrent_creates() {
	mk_start
	init_baseline
	for i in 1 2 3 4 5 6 7 8; do
		"$MKSIM" run "$SYS" -- "$KERF" --sysroot "$SYS" create \
			c$i --cpu-count=2 --memory=256MB \
			>"$TMP/c$i.out" 2>&1 &
	done
	wait
	expect_eq "$(instances | wc -w)" 8 "instances created"
	# every instance tree lists its CPUs (u64 cells); none twice
	dups=$(for i in $(instances); do
		cat "$(mkfs)/instances/$i/device_tree" >"$TMP/i.dtb"
		fdtget -t x "$TMP/i.dtb" /resources cpus
	done | tr ' ' '\n' | grep -v '^0$' | sort | uniq -d)
	n=$(for i in $(instances); do
		cat "$(mkfs)/instances/$i/device_tree" >"$TMP/i.dtb"
		fdtget -t x "$TMP/i.dtb" /resources cpus
	done | tr ' ' '\n' | grep -vc '^0$')
	expect_eq "$n" 16 "CPUs given out"
	expect_eq "$dups" "" "CPUs shared between instances"
}

# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end scenarios of pool changes through kerf apply / diff: CPUs,
# memory and VFs move between the host and the pool as /resources
# overlays.  Sourced by run.sh.  The default mksim host has APIC id =
# 2 x logical; examples/baseline.dts asks for 6 GiB on node 0 and 8 GiB on
# node 1, CPUs 4-31 and VFs 1-7 of eth0.

# pool_file OUT [INSTANCE...]: examples/baseline.dts grown by CPUs 2-3,
# 1 GiB on node 0 and VF 0 of eth0 (plus instances, and eth0_vf0..3).
pool_file() {
	out=$1
	shift
	{
		sed -e 's/host-reserved = <0 1 2 3>;/host-reserved = <0 1>;/' \
			-e 's/available = <4 5 6 7/available = <2 3 4 5 6 7/' \
			-e 's/host-reserved-bytes = <0x0 0x80000000>;/host-reserved-bytes = <0x0 0x40000000>;/' \
			-e 's/memory-pool-base = <0x0 0x80000000>;/memory-pool-base = <0x0 0x40000000>;/' \
			-e 's/memory-pool-bytes = <0x3 0x80000000>;/memory-pool-bytes = <0x3 0xc0000000>;/' \
			-e '/host-reserved-vf = <0>;/d' \
			-e 's/available-vfs = <1 2 3 4 5 6 7>/available-vfs = <0 1 2 3 4 5 6 7>/' \
			"$EXAMPLES/baseline.dts" | sed '$d'
		if [ $# -gt 0 ]; then
			echo "	instances {"
			for i in "$@"; do echo "		$i"; done
			echo "	};"
		fi
		for v in 0 1 2 3; do
			echo "	eth0_vf$v: ethernet-vf@$v { parent = <&eth0>; vf-id = <$v>; };"
		done
		echo "};"
	} >"$out"
}

# The pool chunks of proc/iomem ("start-end", sorted).
pool_chunks() {
	grep 'Multikernel Memory Pool' "$SYS/proc/iomem" | awk '{print $1}' |
		sort | tr '\n' ' '
}
# The pool tree, decompiled.
pool_dts() {
	dtc -I dtb -O dts "$(mkfs)/device_tree" 2>/dev/null
}
# One property line of the pool tree's /resources.
pool_prop() {
	pool_dts | grep -E "^[[:space:]]+$1 = " | head -1 |
		sed -E 's/^[[:space:]]+//'
}
# The reg of every memory@ node of the pool tree, one per line.
pool_regs() {
	pool_dts | grep -A2 'memory@' | grep 'reg = ' | sed -E 's/^[[:space:]]+//'
}

POOL_CPUS_BASE='cpus = <0x00 0x08 0x00 0x0a 0x00 0x0c 0x00 0x0e 0x00 0x10 0x00 0x12 0x00 0x14 0x00 0x16 0x00 0x18 0x00 0x1a 0x00 0x1c 0x00 0x1e 0x00 0x20 0x00 0x22 0x00 0x24 0x00 0x26 0x00 0x28 0x00 0x2a 0x00 0x2c 0x00 0x2e 0x00 0x30 0x00 0x32 0x00 0x34 0x00 0x36 0x00 0x38 0x00 0x3a 0x00 0x3c 0x00 0x3e>;'
POOL_CPUS_GROWN='cpus = <0x00 0x04 0x00 0x06 0x00 0x08 0x00 0x0a 0x00 0x0c 0x00 0x0e 0x00 0x10 0x00 0x12 0x00 0x14 0x00 0x16 0x00 0x18 0x00 0x1a 0x00 0x1c 0x00 0x1e 0x00 0x20 0x00 0x22 0x00 0x24 0x00 0x26 0x00 0x28 0x00 0x2a 0x00 0x2c 0x00 0x2e 0x00 0x30 0x00 0x32 0x00 0x34 0x00 0x36 0x00 0x38 0x00 0x3a 0x00 0x3c 0x00 0x3e>;'

t_pool_grow_and_shrink_back() {
	mk_start
	init_baseline
	chunks0=$(pool_chunks)
	regs0=$(pool_regs)
	expect_eq "$(pool_prop cpus)" "$POOL_CPUS_BASE" "pool CPUs after init"
	pool_file "$TMP/grow.dts"
	kerf apply "$TMP/grow.dts"
	expect_rc 0
	expect_out "+ pool: memory 1 GiB on node 0"
	expect_out "+ pool: CPUs 2-3"
	expect_out "+ pool: device eth0_vf0"
	expect_out "✓ Pool: added 1 GiB of memory on node 0: chunk 0x"
	expect_out "✓ Pool: added CPUs 2-3 (transaction 3)"
	expect_out "✓ Pool: added device eth0_vf0 (transaction 4)"
	expect_out "Applied 3 changes"
	# what the kernel has now: CPUs 2-3 (APIC 4, 6), one more chunk, VF 0
	expect_eq "$(pool_prop cpus)" "$POOL_CPUS_GROWN" "pool CPUs after growing"
	pool_dts | grep -q 'pci@2,0 ' || fail "VF 0 not in the pool: $(pool_dts)"
	new=
	for c in $(pool_chunks); do
		case " $chunks0 " in *" $c "*) ;; *) new="$new$c" ;; esac
	done
	[ -n "$new" ] || fail "no new chunk: $(pool_chunks)"
	size=$(( 0x${new#*-} - 0x${new%-*} + 1 ))
	expect_eq "$size" $((1 << 30)) "size of the new chunk"
	for t in 2 3 4; do
		expect_eq "$(cat "$(mkfs)/overlays/tx_$t/status")" applied
		case $(dtc -I dtb -O dts "$(mkfs)/overlays/tx_$t/dtbo" 2>/dev/null) in
		*'target-path = "/resources"'*) ;;
		*) fail "tx_$t does not target /resources" ;;
		esac
	done
	# the new inventory is saved: the host keeps CPUs 0-1 now
	grep -q 'host-reserved = <0x00 0x01>;' "$SYS/var/lib/kerf/baseline.dts" ||
		fail "baseline.dts not saved: $(head -12 "$SYS/var/lib/kerf/baseline.dts")"
	kerf show
	expect_rc 0
	expect_out "CPUs 0/30 used · memory 0 B/15 GiB used · 0/8 VFs used"
	# idempotent
	before=$(snapshot)
	kerf apply "$TMP/grow.dts"
	expect_rc 0
	expect_out "No differences"
	expect_eq "$(snapshot)" "$before" "state after a second apply"
	# back to the original baseline: the chunk goes exactly as listed
	first=${new%-*}
	last=${new#*-}
	kerf diff "$EXAMPLES/baseline.dts"
	expect_rc 0
	expect_out "- pool: CPUs 2-3"
	expect_out "- pool: device eth0_vf0"
	expect_out "- pool: memory chunk 0x$first-0x$last (1 GiB, node 0)"
	kerf apply "$EXAMPLES/baseline.dts"
	expect_rc 0
	expect_out "✓ Pool: removed memory chunk 0x$first-0x$last (1 GiB, node 0)"
	case $(dtc -I dtb -O dts "$(mkfs)/overlays/tx_7/dtbo" 2>/dev/null) in
	*"memory-remove"*"reg = <0x"*) ;;
	*) fail "tx_7 is no memory-remove: $(dtc -I dtb -O dts "$(mkfs)/overlays/tx_7/dtbo")" ;;
	esac
	expect_eq "$(pool_chunks)" "$chunks0" "chunks after shrinking back"
	expect_eq "$(pool_regs)" "$regs0" "pool tree memory after shrinking back"
	expect_eq "$(pool_prop cpus)" "$POOL_CPUS_BASE" "pool CPUs after shrinking"
	pool_dts | grep -q 'pci@2,0 ' && fail "VF 0 still in the pool"
	kerf apply "$EXAMPLES/baseline.dts"
	expect_rc 0
	expect_out "No differences"
}

t_pool_grow_with_instances() {
	mk_start
	init_baseline
	# new needs the CPUs, the VF and (all of node 0's) memory the pool
	# gains: the pool grows first, then the create is planned again on
	# the chunk the kernel really made
	pool_file "$TMP/sys.dts" \
		'new { resources { cpus = <2 3>; memory-bytes = <0x1 0xc0000000>; numa-nodes = <0>; devices = <&eth0_vf0>; }; };'
	kerf diff "$TMP/sys.dts"
	expect_rc 0
	got=$(echo "$OUT" | sed "s|$TMP/sys.dts|FILE|; s/at 0x[0-9a-f]*/at ADDR/")
	want="Plan for FILE (4 changes):
  + pool: memory 1 GiB on node 0
  + pool: CPUs 2-3
  + pool: device eth0_vf0
  + create new: CPUs 2-3, 7 GiB at ADDR, eth0_vf0"
	expect_eq "$got" "$want" "diff output"
	kerf apply "$TMP/sys.dts"
	expect_rc 0
	expect_out "✓ Created instance 'new' (id 1, transaction 5)"
	expect_out "Applied 4 changes"
	expect_eq "$(instances)" "new "
	kerf apply "$TMP/sys.dts"
	expect_rc 0
	expect_out "No differences"
}

t_pool_refusals() {
	mk_start
	init_baseline
	pool_file "$TMP/grow.dts"
	kerf apply "$TMP/grow.dts"
	expect_rc 0
	# web takes the new CPUs, the new VF and memory in the new chunk
	kerf create web --cpus=2-3 --memory=1GB --devices=eth0_vf0
	expect_rc 0
	before=$(snapshot)
	kerf apply "$EXAMPLES/baseline.dts"
	expect_rc 1
	expect_err "cannot shrink the memory pool on node 0 from 7 GiB to 6 GiB"
	expect_err "used by instance 'web'"
	expect_err "What would work"
	# only the CPUs go back: web uses them
	sed -e 's/host-reserved = <0x00 0x01>;/host-reserved = <0 1 2 3>;/' \
		-e 's/available = <0x02 0x03 /available = </' \
		"$SYS/var/lib/kerf/baseline.dts" >"$TMP/cpus.dts"
	kerf apply "$TMP/cpus.dts"
	expect_rc 1
	expect_err "cannot take CPU 2 out of the pool: instance 'web' (id 1) uses it"
	# only the VF goes back: web holds it
	sed -e 's/available-vfs = <0x00 /available-vfs = </' \
		-e '/eth0_vf0: ethernet-vf@0 {/,/};/d' \
		"$SYS/var/lib/kerf/baseline.dts" >"$TMP/vf.dts"
	kerf diff "$TMP/vf.dts"
	expect_rc 1
	expect_err "cannot take eth0_vf0 (0000:01:02.0) out of the pool: instance 'web' (id 1) holds it"
	expect_eq "$(snapshot)" "$before" "state after refused applies"
	# web gone: the same shrink works
	kerf delete web
	kerf apply "$EXAMPLES/baseline.dts"
	expect_rc 0
	expect_out "Applied 3 changes"
}

t_pool_rollback_memory_grow() {
	mk_start
	init_baseline
	chunks0=$(pool_chunks)
	cpus0=$(pool_prop cpus)
	pool_file "$TMP/grow.dts"
	# the memory grows (tx_2), then CPU 2 (APIC 4) cannot be offlined:
	# rmdir cannot undo a /resources memory-add, so kerf removes the
	# chunk the kernel made with a memory-remove
	"$MKSIM" fault "$SYS" cpu-busy 4 >/dev/null
	kerf apply "$TMP/grow.dts"
	expect_rc 3
	expect_out "✓ Pool: added 1 GiB of memory on node 0"
	expect_err "did not apply transaction tx_3"
	expect_err "Rolling back the 1 transaction"
	expect_err "The pool changes the kernel kept were undone"
	expect_eq "$(pool_chunks)" "$chunks0" "chunks after the rollback"
	expect_eq "$(pool_prop cpus)" "$cpus0" "pool CPUs after the rollback"
	"$MKSIM" log "$SYS" | grep -q 'memory-add cannot be undone' ||
		fail "the grow was not rolled back by rmdir"
	grep -q 'host-reserved = <0 1 2 3>;\|host-reserved = <0x00 0x01 0x02 0x03>;' \
		"$SYS/var/lib/kerf/baseline.dts" ||
		fail "baseline.dts changed by a failed apply"
	# nothing left over: the same apply works once the cause is gone
	kerf apply "$TMP/grow.dts"
	expect_rc 0
	expect_out "Applied 3 changes"
}

t_pool_rollback_partial_cpus() {
	mk_start
	init_baseline
	cpus0=$(pool_prop cpus)
	# only CPUs 2-3 join; the second cpu-add fails: the first stays in
	# the kernel, and rmdir cannot undo the one that never ran
	sed -e 's/host-reserved = <0 1 2 3>;/host-reserved = <0 1>;/' \
		-e 's/available = <4 5 6 7/available = <2 3 4 5 6 7/' \
		"$EXAMPLES/baseline.dts" >"$TMP/cpus.dts"
	"$MKSIM" fault "$SYS" tx-op 2 >/dev/null
	kerf apply "$TMP/cpus.dts"
	expect_rc 3
	expect_err "tx_2"
	expect_err "The pool changes the kernel kept were undone (transaction 3)"
	expect_eq "$(pool_prop cpus)" "$cpus0" "pool CPUs after the rollback"
	expect_eq "$(cat "$SYS/sys/devices/system/cpu/offline")" 4-31 \
		"offline CPUs after the rollback"
}

t_init_points_at_apply() {
	mk_start
	init_baseline
	pool_file "$TMP/grow.dts"
	kerf init --input="$TMP/grow.dts"
	expect_rc 1
	expect_err "different pool"
	expect_err "kerf apply $TMP/grow.dts"
}

t_init_report_applies() {
	mk_start
	kerf init --input="$EXAMPLES/baseline.dts" --report
	expect_rc 0
	expect_out "Multikernel Device Tree Validation Report"
	expect_out "✓ Baseline validation passed"
	expect_out "✓ Baseline applied to kernel successfully"
	expect_out "  Baseline: /sys/fs/multikernel/device_tree"
	grep -q 'Multikernel Memory Pool' "$SYS/proc/iomem" ||
		fail "init --report did not apply"
}

t_pool_commands_mount() {
	printf 'multikernel-mounted = no\n' >/tmp/kerf-pool-host.$$
	mk_start /tmp/kerf-pool-host.$$
	rm -f /tmp/kerf-pool-host.$$
	kerf show
	expect_rc 0
	grep -q ' /sys/fs/multikernel multikernel' "$SYS/proc/mounts" ||
		fail "show did not mount"
}

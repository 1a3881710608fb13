# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end scenarios of update, apply, diff and init from the host.
# Sourced by run.sh.  The default mksim host has APIC id = 2 x logical.

UPD_IMAGE=$BUILD/testkernel.elf

# inst_dts NAME: the kernel's instance tree, decompiled.
inst_dts() {
	dtc -I dtb -O dts "$(mkfs)/instances/$1/device_tree" 2>/dev/null
}
# tx_dts N: the blob of transaction N, decompiled.
tx_dts() {
	dtc -I dtb -O dts "$(mkfs)/overlays/tx_$1/dtbo" 2>/dev/null
}
# inst_prop NAME PROP: one property line of the instance tree's resources.
inst_prop() {
	inst_dts "$1" | grep -E "^[[:space:]]+$2 = " | head -1 |
		sed -E 's/^[[:space:]]+//'
}
# inst_cpus NAME: the instance's physical CPU ids, sorted (a rollback
# may give them back in another order).
inst_cpus() {
	inst_prop "$1" cpus | tr -d '<>;=' | tr ' ' '\n' | grep '^0x' |
		awk 'NR % 2 == 0' | sort | tr '\n' ' '
}
# regions NAME: the instance's proc/iomem regions ("start-end").
regions() {
	grep "mk-instance-[0-9]*-$1-region-" "$SYS/proc/iomem" |
		awk '{print $1}' | tr '\n' ' '
}

t_update_cpus_and_memory() {
	mk_start
	init_baseline
	kerf create web --cpus=4-7 --memory=2GB
	expect_rc 0
	r0=$(regions web)
	kerf update web --cpus=4-9 --memory=3GB
	expect_rc 0
	expect_eq "$OUT" "✓ Updated instance 'web' (id 1, transaction 3): CPUs 4-7 → 4-9, memory 2 GiB → 3 GiB"
	# physical ids are 2 x logical
	expect_eq "$(inst_prop web cpus)" \
		"cpus = <0x00 0x08 0x00 0x0a 0x00 0x0c 0x00 0x0e 0x00 0x10 0x00 0x12>;"
	expect_eq "$(inst_prop web memory-bytes)" "memory-bytes = <0x00 0xc0000000>;"
	expect_eq "$(cat "$(mkfs)/overlays/tx_3/status")" applied
	# exactly the delta: grown in place, two CPUs added, nothing removed
	tx=$(tx_dts 3)
	case $tx in *'target-path = "/instances/web"'*) ;; *) fail "target: $tx" ;; esac
	case $tx in *cpu-remove*|*memory-remove*|*instance-create*)
		fail "more than the delta: $tx" ;; esac
	case $tx in *"cpu@10"*"cpu@12"*) ;; *) fail "cpu-add: $tx" ;; esac
	start=${r0%%-*}
	expect_eq "$(regions web)" "$start-$(printf '%x' $((0x$start + 0xc0000000 - 1))) " \
		"regions after growing in place"
}

t_update_shrink_from_top() {
	mk_start
	init_baseline
	kerf create web --cpus=4-7 --memory=2GB
	r0=$(regions web)
	start=${r0%%-*}
	kerf update web --memory=1GB --cpus=4-5
	expect_rc 0
	expect_out "CPUs 4-7 → 4-5, memory 2 GiB → 1 GiB"
	expect_eq "$(regions web)" "$start-$(printf '%x' $((0x$start + 0x40000000 - 1))) " \
		"regions after shrinking"
	tx=$(tx_dts 3)
	top=$(printf '%x' $((0x$start + 0x40000000)))
	case $tx in *"memory-remove"*"memory@$top "*) ;; *)
		fail "memory-remove of the top half: $tx" ;; esac
	case $tx in *"cpu-remove"*"cpu@c "*"cpu@e "*) ;; *)
		fail "cpu-remove: $tx" ;; esac
	case $tx in *memory-add*|*cpu-add*) fail "more than the delta: $tx" ;; esac
	expect_eq "$(inst_prop web memory-bytes)" "memory-bytes = <0x00 0x40000000>;"
}

t_update_cpu_count() {
	mk_start
	init_baseline
	kerf create web --cpus=4-7 --memory=1GB
	kerf update web --cpu-count=6
	expect_rc 0
	expect_out "CPUs 4-7 → 4-9"
	kerf update --id=1 --cpu-count=2
	expect_rc 0
	expect_out "CPUs 4-9 → 4-5"
	kerf update web --cpu-count=2
	expect_rc 0
	expect_out "nothing to change"
	expect_eq "$(txns)" "tx_2 tx_3 tx_4 " "no transaction for no change"
}

t_update_devices() {
	mk_start
	init_baseline
	kerf create web --cpus=4-7 --memory=1GB --devices=eth0_vf1
	expect_rc 0
	inst_dts web | grep -q 'pci@2,1 ' || fail "VF 1 missing: $(inst_dts web)"
	kerf update web --devices=eth0:vf2,eth0_vf3
	expect_rc 0
	expect_out "devices eth0_vf1 → eth0_vf2, eth0_vf3"
	t=$(inst_dts web)
	case $t in *'pci@2,1 '*) fail "VF 1 still given: $t" ;; esac
	case $t in *'pci@2,2 '*'pci@2,3 '*) ;; *) fail "VFs 2, 3 missing: $t" ;; esac
	tx=$(tx_dts 3)
	case $tx in *device-remove*'"0000:01:02.1"'*device-add*'"0000:01:02.2"'*'"0000:01:02.3"'*) ;;
		*) fail "device delta: $tx" ;; esac
	kerf update web --devices=none
	expect_rc 0
	expect_out "devices eth0_vf2, eth0_vf3 → none"
	case $(inst_dts web) in *'pci@2,'*) fail "devices left" ;; esac
	# namespaces cannot move; unknown devices are named
	kerf update web --devices=nvme0_ns2
	expect_rc 1
	expect_err "whole PCI functions"
	kerf update web --devices=eth9
	expect_rc 1
	expect_err "unknown device 'eth9'"
}

t_update_dry_run_changes_nothing() {
	mk_start
	init_baseline
	kerf create web --cpus=4-7 --memory=2GB
	before=$(snapshot)
	kerf --debug update web --cpus=4-9 --memory=3GB --dry-run
	expect_rc 0
	expect_out "CPUs: 4-7 → 4-9"
	expect_out "Memory: 2 GiB → 3 GiB"
	expect_out "cpu-add"
	expect_out "would be updated"
	expect_eq "$(snapshot)" "$before" "state after update --dry-run"
}

t_update_refusals() {
	mk_start
	init_baseline
	kerf create web --cpus=4-7 --memory=2GB
	kerf create db --cpus=8-11 --memory=2GB
	before=$(snapshot)
	kerf update web --cpus=4-9
	expect_rc 1
	expect_err "[cpu-overlap]"
	kerf update web --cpus=0-7
	expect_rc 1
	expect_err "[cpu-host-reserved]"
	kerf update web --memory=64GB
	expect_rc 1
	expect_err "no free range"
	kerf update ghost --memory=1GB
	expect_rc 1
	expect_err "instance 'ghost' does not exist"
	kerf update web
	expect_rc 2
	kerf update web --cpus=4 --cpu-count=2
	expect_rc 2
	kerf update web --memory=lots
	expect_rc 2
	expect_eq "$(snapshot)" "$before" "state after refused updates"
}

t_update_guards_status() {
	[ -e "$UPD_IMAGE" ] || { echo "no test kernel" >&2; return 0; }
	mk_start
	init_baseline
	kerf create web --cpus=4-7 --memory=2GB
	kerf load web --kernel="$UPD_IMAGE"
	expect_rc 0
	kerf update web --memory=1GB
	expect_rc 1
	expect_err "a kernel is loaded"
	expect_err "kerf unload web"
	kerf update web --cpus=4-5
	expect_rc 0
	kerf exec web
	expect_rc 0
	kerf update web --cpus=4-7
	expect_rc 1
	expect_err "it is running"
	expect_err "kerf kill web"
}

t_update_fault_rolls_back() {
	mk_start
	init_baseline
	kerf create web --cpus=4-7 --memory=2GB
	tree=$(inst_dts web)
	regs=$(regions web)
	# the third operation (second cpu-add) fails
	"$MKSIM" fault "$SYS" tx-op 3 >/dev/null
	kerf update web --cpus=4-9 --memory=3GB
	expect_rc 3
	expect_err "dmesg"
	# the kernel kept the memory-add and the first cpu-add, and cannot
	# rmdir the failed transaction (it would also undo the cpu-add that
	# never ran): kerf says so and undoes what ran with one more delta
	expect_eq "$(cat "$(mkfs)/overlays/tx_3/status")" failed
	expect_err "tx_3"
	expect_err "were undone (transaction 4)"
	expect_eq "$(cat "$(mkfs)/overlays/tx_4/status")" applied
	expect_eq "$(inst_dts web)" "$tree" "instance tree after a failed update"
	expect_eq "$(regions web)" "$regs" "regions after a failed update"
	# a fault at the first operation: nothing ran, nothing to undo
	# (the failed transaction stays: its rmdir would re-add CPUs the
	# instance still has, EBUSY)
	"$MKSIM" fault "$SYS" tx-op 1 >/dev/null
	kerf update web --cpus=4-5
	expect_rc 3
	expect_err "unchanged"
	expect_err "tx_5"
	expect_eq "$(cat "$(mkfs)/overlays/tx_5/status")" failed
	expect_eq "$(inst_dts web)" "$tree" "instance tree after tx-op 1"
}

# sys_file OUT INSTANCE...: examples/baseline.dts plus an instances node
# (one line each) and the VF references eth0_vf1..eth0_vf3.
sys_file() {
	out=$1
	shift
	{
		sed '$d' "$EXAMPLES/baseline.dts"
		echo "	instances {"
		for i in "$@"; do echo "		$i"; done
		echo "	};"
		for v in 1 2 3; do
			echo "	eth0_vf$v: ethernet-vf@$v { parent = <&eth0>; vf-id = <$v>; };"
		done
		echo "};"
	} >"$out"
}

WEB2='web { resources { cpus = <4 5 6 7>; memory-bytes = <0x0 0x80000000>; devices = <&eth0_vf1>; }; };'
DB1='db { resources { cpus = <8 9 10 11>; memory-bytes = <0x0 0x40000000>; }; };'

t_apply_creates_updates_prunes() {
	mk_start
	init_baseline
	kerf create old --cpus=20-21 --memory=1GB
	kerf create web --cpus=4-5 --memory=1GB
	sys_file "$TMP/sys.dts" "$WEB2" "$DB1"
	kerf apply "$TMP/sys.dts"
	expect_rc 0
	expect_out "= keep old (not in the file; --prune deletes it)"
	expect_eq "$(instances)" "db old web "
	kerf apply "$TMP/sys.dts" --prune
	expect_rc 0
	expect_out "- delete old"
	expect_out "✓ Deleted instance 'old' (id 1, transaction 6)"
	expect_out "Applied 1 change from"
	expect_eq "$(instances)" "db web "
	expect_eq "$(inst_prop web memory-bytes)" "memory-bytes = <0x00 0x80000000>;"
	expect_eq "$(inst_prop web cpus)" \
		"cpus = <0x00 0x08 0x00 0x0a 0x00 0x0c 0x00 0x0e>;"
	inst_dts web | grep -q 'pci@2,1 ' || fail "web lacks eth0_vf1"
	expect_eq "$(inst_prop db memory-bytes)" "memory-bytes = <0x00 0x40000000>;"
	# idempotent
	before=$(snapshot)
	kerf apply "$TMP/sys.dts" --prune
	expect_rc 0
	expect_out "No differences"
	expect_eq "$(snapshot)" "$before" "state after a second apply"
}

t_apply_order_and_dry_run() {
	mk_start
	init_baseline
	kerf create web --cpus=4-9 --memory=1GB
	kerf create old --cpus=20-21 --memory=1GB
	# web shrinks to 4-7, db takes 8-11: the shrink must run first
	sys_file "$TMP/sys.dts" \
		'web { resources { cpus = <4 5 6 7>; memory-bytes = <0x0 0x40000000>; }; };' \
		"$DB1"
	before=$(snapshot)
	kerf apply "$TMP/sys.dts" --prune --dry-run
	expect_rc 0
	expect_out "Plan validated (dry-run mode)"
	expect_eq "$(snapshot)" "$before" "state after apply --dry-run"
	plan=$(echo "$OUT" | grep '^  [-~+]' | cut -c3-13)
	expect_eq "$(echo $plan)" "- delete ol ~ update we + create db" "plan order"
	kerf apply "$TMP/sys.dts" --prune
	expect_rc 0
	expect_eq "$(instances)" "db web "
}

t_apply_refusals() {
	mk_start
	init_baseline
	kerf create web --cpus=4-7 --memory=1GB
	before=$(snapshot)
	# the file itself is invalid
	sys_file "$TMP/bad.dts" \
		'a { resources { cpus = <8 9>; memory-bytes = <0x0 0x40000000>; }; };' \
		'b { resources { cpus = <9 10>; memory-bytes = <0x0 0x40000000>; }; };'
	kerf apply "$TMP/bad.dts"
	expect_rc 1
	expect_err "[cpu-overlap]"
	# valid file, invalid resulting state (web keeps 4-7; new takes 6-7)
	sys_file "$TMP/clash.dts" \
		'new { resources { cpus = <6 7>; memory-bytes = <0x0 0x40000000>; }; };'
	kerf apply "$TMP/clash.dts"
	expect_rc 1
	expect_err "[cpu-overlap]"
	expect_eq "$(snapshot)" "$before" "state after refused applies"
	# a loaded instance that would change
	[ -e "$UPD_IMAGE" ] || return 0
	kerf load web --kernel="$UPD_IMAGE"
	expect_rc 0
	sys_file "$TMP/grow.dts" \
		'web { resources { cpus = <4 5 6 7 8 9>; memory-bytes = <0x0 0x40000000>; }; };'
	kerf apply "$TMP/grow.dts"
	expect_rc 1
	expect_err "status is 'loaded'"
}

t_apply_rolls_back_on_failure() {
	mk_start
	# the file matches the pool; zz fills node 0's chunk to its top,
	# where the kernel keeps its park area (kerf cannot see it), so the
	# last create fails in the kernel only
	init_baseline
	kerf create web --cpus=4-9 --memory=2GB
	cpus=$(inst_cpus web)
	mem=$(inst_prop web memory-bytes)
	regs=$(regions web)
	sys_file "$TMP/sys.dts" \
		'web { resources { cpus = <4 5 6 7>; memory-bytes = <0x0 0x40000000>; }; };' \
		"$DB1" \
		'zz { resources { cpus = <12 13>; memory-bytes = <0x1 0x0>; }; };'
	kerf apply "$TMP/sys.dts"
	expect_rc 3
	expect_out "✓ Updated instance 'web'"
	expect_out "✓ Created instance 'db'"
	expect_err "zz"
	expect_err "Rolling back the 2 transactions"
	expect_eq "$(instances)" "web " "instances after the rollback"
	expect_eq "$(inst_cpus web)" "$cpus" "web's CPUs after the rollback"
	expect_eq "$(inst_prop web memory-bytes)" "$mem" "web's memory-bytes"
	expect_eq "$(regions web)" "$regs" "web's memory after the rollback"
	# the kernel created zz before its memory failed: removed by tx_6
	expect_err "The partly created instance 'zz' was removed again (transaction 6)"
	for t in $(txns); do
		case $t in tx_2|tx_6) continue ;; esac
		expect_eq "$(cat "$(mkfs)/overlays/$t/status")" failed \
			"leftover $t"
	done
}

t_diff_golden() {
	mk_start
	init_baseline
	kerf create old --cpus=20-21 --memory=1GB
	kerf create web --cpus=4-5 --memory=1GB
	sys_file "$TMP/sys.dts" "$WEB2" "$DB1"
	before=$(snapshot)
	kerf diff "$TMP/sys.dts" --prune
	expect_rc 0
	got=$(echo "$OUT" | sed "s|$TMP/sys.dts|FILE|; s/at 0x[0-9a-f]*/at ADDR/")
	want="Plan for FILE (3 changes):
  - delete old
  + create db: CPUs 8-11, 1 GiB at ADDR
  ~ update web: CPUs 4-5 → 4-7, memory 1 GiB → 2 GiB, devices none → eth0_vf1"
	expect_eq "$got" "$want" "diff output"
	kerf diff "$TMP/sys.dts"
	expect_rc 0
	expect_out "= keep old (not in the file; --prune deletes it)"
	expect_eq "$(snapshot)" "$before" "state after diff"
	kerf apply "$TMP/sys.dts" --prune
	kerf diff "$TMP/sys.dts" --prune
	expect_rc 0
	expect_out "No differences"
}

t_init_from_host() {
	mk_start
	kerf init --cpus=0-7 --memory=4GB --dry-run
	expect_rc 1
	expect_out "[inventory-cpu0]"
	kerf init --cpus=4-15 --memory=4GB --input="$EXAMPLES/baseline.dts"
	expect_rc 2
	kerf init --cpus=4-15
	expect_rc 2
	kerf init --cpus=4-99 --memory=4GB
	expect_rc 1
	expect_err "CPU 32 does not exist"
	kerf init --cpus=4-7 --memory=4GB --devices=0000:09:00.0
	expect_rc 1
	expect_err "0000:09:00.0"
	before=$(snapshot)
	kerf init --cpus=4-15 --memory=8GB --devices=0000:01:00.0 --dry-run --report
	expect_rc 0
	expect_out "Available: 4-15 (12 CPUs"
	expect_out "Memory pool: 8GB"
	expect_out "would be applied"
	expect_eq "$(snapshot)" "$before" "state after init --dry-run from the host"
	kerf init --cpus=4-15 --memory=8GB --devices=0000:01:00.0
	expect_rc 0
	expect_out "Baseline applied to kernel successfully"
	# the pool: APIC ids 2 x logical, one 8 GiB chunk, the NIC's VFs
	pool=$(dtc -I dtb -O dts "$(mkfs)/device_tree" 2>/dev/null)
	case $pool in *"cpus = <0x00 0x08 0x00 0x0a"*"0x00 0x1e>;"*) ;;
		*) fail "pool CPUs: $pool" ;; esac
	expect_eq "$(grep -c 'Multikernel Memory Pool' "$SYS/proc/iomem")" 1
	kerf create web --cpu-count=4 --memory=1GB --devices=pci_0000_01_00_0_vf1
	expect_rc 0
	inst_dts web | grep -q 'pci@2,1 ' || fail "web lacks VF 1"
	ls /tmp/kerf-host-* >/dev/null 2>&1 && fail "temporary file left"
	return 0
}

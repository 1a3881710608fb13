# SPDX-License-Identifier: GPL-2.0-or-later
# End-to-end scenarios of the runtime commands: load, exec/start, kill,
# unload, console, show and show --map.  The seeds' workflow as written,
# every refusal path (proved not to reach the kernel with the mksim log),
# mksim faults, --id addressing, the console, compressed images, and the
# show goldens (tests/e2e/golden/; regenerate with RT_UPDATE_GOLDEN=1).
# Sourced by run.sh (helpers in lib.sh).

RT_IMAGE=$BUILD/testkernel.elf

# The seeds' first steps: a pool and two ready instances.
rt_setup() {
	[ -f "$RT_IMAGE" ] || fail "$RT_IMAGE was not built"
	mk_start
	init_baseline
	kerf create web-server --cpus=4-7 --memory=2GB
	expect_rc 0
	kerf create --cpus=8-15 --memory=8GB database
	expect_rc 0
}

rt_status() { inst_file "$1" status 2>/dev/null; }
rt_expect_status() { expect_eq "$(rt_status "$1")" "$2" "status of $1"; }
rt_record() { echo "$SYS/var/lib/kerf/instances/$1.json"; }
# The kernel's record of syscalls (kexec_file_load, reboot) so far.
rt_calls() { "$MKSIM" log "$SYS" | grep -E 'kexec|instance [0-9]+ ' || true; }

rt_load() {	# NAME [ARGS...]
	local n=$1
	shift
	kerf load "$n" --kernel="$RT_IMAGE" "$@"
	expect_rc 0
}

# A bzImage around a compressed copy of the test kernel: a 1 KiB setup
# area with the x86 boot header (setup_sects 1, boot protocol 2.15, the
# payload right after the setup area), then the compressed vmlinux.
rt_byte() { printf "\\x$(printf %02x $(($1 & 255)))"; }
rt_poke() {	# FILE OFFSET (bytes on stdin)
	dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
rt_mkbzimage() {	# COMPRESSOR OUT
	local len
	"$1" -c "$RT_IMAGE" >"$TMP/payload" || fail "$1 failed"
	len=$(stat -c %s "$TMP/payload")
	head -c 1024 /dev/zero >"$2"
	printf '\001' | rt_poke "$2" $((0x1f1))
	printf '\125\252' | rt_poke "$2" $((0x1fe))
	printf 'HdrS\017\002' | rt_poke "$2" $((0x202))
	{ rt_byte "$len"; rt_byte $((len >> 8)); rt_byte $((len >> 16));
	  rt_byte $((len >> 24)); } | rt_poke "$2" $((0x24c))
	cat "$TMP/payload" >>"$2"
}

# Show output without what depends on the build directory, the time or
# the compiler that made the test kernel.
rt_normalize() {
	sed -E -e "s|$(realpath "$RT_IMAGE")|BUILD/testkernel.elf|g" \
	    -e 's/("?(loaded_at|sha256|image_bytes|load_bytes)"?: *)"?[^",]*"?/\1X/' \
	    -e 's/^(    (Loaded at|Size): +).*/\1X/'
}
rt_golden() {	# NAME KERF-ARGS...
	local g=$SRC/tests/e2e/golden/$1
	shift
	kerf "$@"
	expect_rc 0
	rt_normalize <"$TMP/out" >"$TMP/golden"
	[ -n "${RT_UPDATE_GOLDEN:-}" ] && cp "$TMP/golden" "$g"
	diff -u "$g" "$TMP/golden" >&2 || fail "kerf $* differs from $g"
}

t_rt_seed_workflow() {
	rt_setup
	kerf load web-server --kernel="$RT_IMAGE" --cmdline="console=mktty0"
	expect_rc 0
	expect_eq "$OUT" "✓ Loaded kernel into 'web-server' (id 1)"
	rt_expect_status web-server loaded
	[ -f "$(rt_record web-server)" ] || fail "load not recorded"
	grep -q "$(sha256sum "$RT_IMAGE" | cut -c1-64)" \
		"$(rt_record web-server)" || fail "record lacks the SHA-256"
	grep -q '"cmdline": "console=mktty0"' "$(rt_record web-server)" ||
		fail "record lacks the cmdline"
	kerf exec web-server
	expect_rc 0
	expect_out "✓ Started instance 'web-server' (id 1)"
	rt_expect_status web-server active
	kerf show
	expect_rc 0
	echo "$OUT" | grep -qE '^web-server +1 +active +4-7 +2 GiB +- +testkernel.elf$' ||
		fail "show: web-server row"
	echo "$OUT" | grep -qE '^database +2 +ready +8-15 +8 GiB +- +-$' ||
		fail "show: database row"
	expect_out "CPUs 12/28 used · memory 10 GiB/14 GiB used · 0/7 VFs used"
}

t_rt_show_goldens() {
	rt_setup
	rt_load web-server --cmdline="console=mktty0"
	kerf exec web-server
	expect_rc 0
	kerf create cache --cpu-count=2 --memory=512MB --devices=eth0:vf1
	expect_rc 0
	rt_golden show.txt show
	rt_golden show.json show --format json
	rt_golden show.yaml show --format=yaml
	rt_golden show-verbose.txt show --verbose
	rt_golden show-one.txt show web-server
	rt_golden show-one.json show --format json web-server
	rt_golden show-map.txt show --map --color=never
	kerf show --id 2
	expect_rc 0
	expect_out "Instance 'database'"
	kerf show nope
	expect_rc 1
	kerf show --map --format json
	expect_rc 2
	kerf show --map --color=always
	expect_rc 0
	expect_out $'\033['
	kerf show --map
	case $OUT in *$'\033['*) fail "colour when stdout is no terminal" ;; esac
	if command -v jq >/dev/null; then
		kerf show --format json
		echo "$OUT" | jq -e '.schema_version == 1 and
			(.instances | length) == 3' >/dev/null ||
			fail "show json does not parse"
	fi
}

t_rt_console() {
	rt_setup
	rt_load web-server --cmdline="console=mktty0"
	mkfifo "$TMP/in.fifo"
	kerf console web-server </dev/null
	expect_rc 1
	expect_err "cannot attach to the console of 'web-server' (id 1): it is not running (status: loaded)"
	expect_err "kerf exec web-server"
	kerf exec web-server
	kerf console web-server </dev/null
	expect_rc 0
	expect_out "Linux version"
	expect_out "console=mktty0"
	expect_err "Disconnected"
	# Input reaches the instance (it echoes); Ctrl-] . detaches.
	{ printf 'hello kerf\n'; sleep 1; printf '\035.'; } >"$TMP/in.fifo" &
	kerf console --id 1 <"$TMP/in.fifo"
	wait
	expect_rc 0
	expect_out "hello kerf"
	kerf console database </dev/null
	expect_rc 1
	expect_err "(status: ready)"
	# exec --console attaches after starting
	rt_load database
	kerf exec database --console </dev/null
	expect_rc 0
	expect_out "Started instance 'database' (id 2)"
	expect_out "Linux version"
}

# No console output is ever lost: the boot log reaches the console that
# attaches right after exec, 30 times over, also when an earlier console
# of the same instance has just gone (FUSE releases it asynchronously, and
# what it left unread goes back to the backlog); the echo of input sent in
# the same read as Ctrl-] . is still printed.
t_rt_console_no_loss() {
	local i lost= deadline=$((SECONDS + 60))

	rt_setup
	rt_load web-server --cmdline="console=mktty0"
	for i in $(seq 30); do
		kerf exec web-server
		expect_rc 0
		kerf console web-server </dev/null
		expect_rc 0
		case $OUT in *"Linux version"*"web-server login: "*) ;;
		*) lost="$lost $i" ;; esac
		kerf kill web-server
		expect_rc 0
		[ $SECONDS -lt $deadline ] || fail "30 attaches took over 60 s"
	done
	[ -z "$lost" ] || fail "the boot log was lost in iterations$lost"
	# An attached connection closed before reading: its output is kept.
	kerf exec web-server
	exec 9<>"$SYS/dev/mktty"
	printf '1\n' >&9
	kerf kill web-server
	kerf exec web-server
	exec 9>&-
	kerf console web-server </dev/null
	expect_rc 0
	expect_out "reboot: System halted"
	expect_out "Linux version"
	# Input and the detach in one read: the echo still arrives.
	printf 'hello kerf\n\035.' >"$TMP/in"
	kerf console web-server <"$TMP/in"
	expect_rc 0
	expect_out "hello kerf"
	expect_err "Disconnected"
}

t_rt_load_twice_refused() {
	rt_setup
	rt_load database
	before=$(rt_calls)
	kerf load database --kernel="$RT_IMAGE"
	expect_rc 1
	expect_err "kerf: error: cannot load a kernel into 'database' (id 2): a kernel is already loaded (status: loaded)"
	expect_err "Run 'kerf unload database' first."
	expect_eq "$(rt_calls)" "$before" "kernel calls"
	rt_expect_status database loaded
}

t_rt_unload_ready_refused() {
	rt_setup
	before=$(rt_calls)
	kerf unload web-server
	expect_rc 1
	expect_eq "$ERR" "kerf: error: cannot unload 'web-server' (id 1): no kernel is loaded (status: ready)
  Nothing to unload; 'kerf delete web-server' removes the instance."
	expect_eq "$(rt_calls)" "$before" "kernel calls"
}

t_rt_exec_ready_refused() {
	rt_setup
	before=$(rt_calls)
	kerf exec web-server
	expect_rc 1
	expect_err "cannot start 'web-server' (id 1): no kernel is loaded (status: ready)"
	expect_err "Run 'kerf load web-server --kernel=PATH' first."
	kerf start web-server
	expect_rc 1
	kerf kill --force web-server
	expect_rc 1
	expect_err "(status: ready)"
	expect_eq "$(rt_calls)" "$before" "kernel calls"
}

t_rt_kill_loaded_refused() {
	rt_setup
	rt_load database
	before=$(rt_calls)
	kerf kill database
	expect_rc 1
	expect_err "cannot stop 'database' (id 2): it is not running (status: loaded)"
	expect_err "kerf unload database"
	expect_eq "$(rt_calls)" "$before" "kernel calls"
	rt_expect_status database loaded
}

t_rt_delete_loaded_refused() {
	rt_setup
	rt_load database
	rt_load web-server
	kerf exec web-server
	before=$(snapshot)
	kerf delete database
	expect_rc 1
	expect_err "database"
	expect_err "loaded"
	kerf delete web-server
	expect_rc 1
	expect_err "active"
	expect_eq "$(snapshot)" "$before" "state after refused deletes"
}

t_rt_active_refusals() {
	rt_setup
	rt_load web-server
	kerf exec web-server
	before=$(rt_calls)
	kerf unload web-server
	expect_rc 1
	expect_err "cannot unload 'web-server' (id 1): it is running (status: active)"
	expect_err "Run 'kerf kill web-server' first."
	kerf exec web-server
	expect_rc 1
	expect_err "it is already running (status: active)"
	kerf load web-server --kernel="$RT_IMAGE"
	expect_rc 1
	expect_err "(status: active)"
	expect_eq "$(rt_calls)" "$before" "kernel calls"
	rt_expect_status web-server active
}

t_rt_usage_and_input_errors() {
	rt_setup
	kerf load web-server
	expect_rc 2
	expect_err "--kernel"
	kerf load --kernel="$RT_IMAGE"
	expect_rc 2
	kerf exec --id 0
	expect_rc 2
	kerf exec --id=x
	expect_rc 2
	kerf unload a b
	expect_rc 2
	kerf kill --bogus web-server
	expect_rc 2
	kerf load web-server --kernel=/etc/hostname
	expect_rc 1
	expect_err "/etc/hostname"
	kerf load web-server --kernel="$TMP/nope"
	expect_rc 3
	expect_err "$TMP/nope"
	kerf load web-server --kernel="$RT_IMAGE" --initrd="$TMP/nope"
	expect_rc 3
	kerf exec nope
	expect_rc 1
	expect_err "no instance named 'nope'"
	kerf exec --id 99
	expect_rc 1
	expect_err "no instance with id 99"
	kerf exec web-server --id 2
	expect_rc 1
	expect_err "has id 1, not 2"
	rt_expect_status web-server ready
	kerf help load
	expect_rc 0
	expect_out "--kernel=PATH"
}

t_rt_id_addressing() {
	rt_setup
	kerf load --id 2 --kernel="$RT_IMAGE"
	expect_rc 0
	expect_out "'database' (id 2)"
	kerf exec --id 2
	expect_rc 0
	rt_expect_status database active
	kerf kill --id=2
	expect_rc 0
	expect_out "✓ Stopped instance 'database' (id 2)"
	rt_expect_status database loaded
	kerf start database
	expect_rc 0
	kerf kill --force --id 2
	expect_rc 0
	expect_out "Force-stopped"
	rt_expect_status database loaded
	kerf unload --id 2
	expect_rc 0
	rt_expect_status database ready
	[ -f "$(rt_record database)" ] && fail "unload left the record"
	kerf delete database
	expect_rc 0
}

t_rt_fault_load_enomem() {
	rt_setup
	"$MKSIM" fault "$SYS" load-enomem >/dev/null
	kerf load web-server --kernel="$RT_IMAGE"
	expect_rc 3
	expect_err "instance 'web-server' (id 1)"
	expect_err "do not fit in its 2 GiB of memory"
	expect_err "need at least"
	expect_err "Cannot allocate memory (ENOMEM)"
	expect_err "dmesg"
	rt_expect_status web-server ready
	[ -f "$(rt_record web-server)" ] && fail "a failed load was recorded"
	rt_load web-server
}

t_rt_fault_halt_timeout() {
	rt_setup
	rt_load web-server
	kerf exec web-server
	"$MKSIM" fault "$SYS" halt-timeout 200 >/dev/null
	kerf kill web-server
	expect_rc 3
	expect_err "cannot stop instance 'web-server' (id 1): it did not acknowledge the shutdown"
	expect_err "kerf kill --force web-server"
	expect_err "ETIMEDOUT"
	rt_expect_status web-server active
	kerf kill --force web-server
	expect_rc 0
	rt_expect_status web-server loaded
	# This kernel force-halts only active instances: EINVAL, explained.
	kerf kill --force web-server
	expect_rc 3
	expect_err "force-stops only running (active) instances"
	expect_err "EINVAL"
}

t_rt_compressed_images() {
	rt_setup
	for comp in gzip xz zstd bzip2; do
		command -v $comp >/dev/null || continue
		rt_mkbzimage $comp "$TMP/bzImage.$comp"
		kerf -v load web-server --kernel="$TMP/bzImage.$comp"
		expect_rc 0
		expect_out "bzImage"
		rt_expect_status web-server loaded
		kerf unload web-server
		expect_rc 0
	done
	gzip -c "$RT_IMAGE" >"$TMP/vmlinux.gz"
	kerf load web-server --kernel="$TMP/vmlinux.gz" --initrd=/etc/hostname \
		--cmdline="quiet"
	expect_rc 0
	kerf show web-server --format json
	expect_out '"initrd": "/etc/hostname"'
	expect_out '"cmdline": "quiet"'
	expect_out '"compression": "gzip"'
}

t_rt_unload_delete() {
	rt_setup
	rt_load web-server
	kerf exec web-server
	kerf kill web-server
	expect_rc 0
	expect_eq "$OUT" "✓ Stopped instance 'web-server' (id 1)"
	kerf unload web-server
	expect_rc 0
	expect_eq "$OUT" "✓ Unloaded kernel from 'web-server' (id 1)"
	rt_expect_status web-server ready
	[ -f "$(rt_record web-server)" ] && fail "unload left the record"
	kerf delete web-server
	expect_rc 0
	kerf delete database
	expect_rc 0
	kerf show
	expect_rc 0
	expect_out "No instances."
	expect_eq "$(instances)" "" "instances left"
}

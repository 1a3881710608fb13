# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by bench/*/run.sh: generate the synthetic systems, time commands,
# print the comparison table.  Benchmarks measure; they never fail on a
# missed target (it is printed as MISSED), only when a command fails.
#
# Environment: BENCH_REPS (runs per measurement, default 15; the median is
# reported), BENCH_KEEP=1 keeps the temporary directory.

BENCH_REPS=${BENCH_REPS:-15}

# The two systems of issues 2 and 3: 1x and its 2x sibling.
BENCH_SIZES=(
	"1x --cpus 8192 --instances 1000 --nics 64"
	"2x --cpus 16384 --instances 2000 --nics 128"
)

bench_init()
{
	BUILD=${1:?usage: $0 BUILD_DIR}
	KERF=$BUILD/kerf
	GEN=$BUILD/bench/gen_system
	TIMER=$BUILD/bench/bench_timer
	local f
	for f in "$KERF" "$GEN" "$TIMER"; do
		if [ ! -x "$f" ]; then
			echo "error: $f is missing (run: ninja -C $BUILD)" >&2
			exit 2
		fi
	done
	if ! command -v dtc >/dev/null; then
		echo "error: dtc is missing (apt-get install" \
			"device-tree-compiler)" >&2
		exit 2
	fi
	BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kerf-bench.XXXXXX")
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
	BENCH_FAILED=0
}

bench_cleanup()
{
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "kept $BENCH_TMP"
	else
		rm -rf "$BENCH_TMP"
	fi
}

# bench_generate: writes $BENCH_TMP/1x.dts and 2x.dts.
bench_generate()
{
	local s name
	for s in "${BENCH_SIZES[@]}"; do
		set -- $s
		name=$1
		shift
		"$GEN" "$@" -o "$BENCH_TMP/$name.dts"
	done
}

# bench_median: the median of the numbers on standard input.
bench_median()
{
	sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# bench_measure LABEL CMD...: runs CMD once to warm the caches, then
# BENCH_REPS times; sets MED_TIME (wall s), MED_CPU (user + sys s),
# MED_RSS (KiB), and RUN_OK (0 if a run failed, its stderr in
# $BENCH_TMP/LABEL.err).
bench_measure()
{
	local label=$1 i t r code c
	shift
	local times=() rss=() cpu=()
	RUN_OK=1
	for ((i = 0; i <= BENCH_REPS; i++)); do
		if ! "$TIMER" "$BENCH_TMP/res" "$@" \
			>/dev/null 2>"$BENCH_TMP/$label.err"; then
			RUN_OK=0
			MED_TIME=nan
			MED_CPU=nan
			MED_RSS=nan
			return
		fi
		[ "$i" -eq 0 ] && continue
		read -r t r code c <"$BENCH_TMP/res"
		times+=("$t")
		rss+=("$r")
		cpu+=("$c")
	done
	MED_TIME=$(printf '%s\n' "${times[@]}" | bench_median)
	MED_CPU=$(printf '%s\n' "${cpu[@]}" | bench_median)
	MED_RSS=$(printf '%s\n' "${rss[@]}" | bench_median)
}

# bench_rounds: times kerf and dtc on every size, alternately: one warm-up
# round, then BENCH_REPS rounds of (kerf 1x, dtc 1x, kerf 2x, dtc 2x).  On
# a shared virtual machine the speed drifts between fast and slow phases
# lasting seconds; separate series of runs can land in different phases,
# runs next to each other see the same machine.  The caller defines
# bench_cmds NAME, which sets the arrays KCMD and DCMD for one size.
# Fills K_TIME/K_CPU/K_RSS and D_* per size (medians), RATIO_T/RATIO_C per
# size (medians of the per-round kerf/dtc ratios) and SCALE_T/SCALE_C
# (median of the per-round kerf 2x/1x ratios).  A failed run is reported
# with bench_fail and its size gets "nan".
bench_rounds()
{
	local i s name t r code c tk ck
	local -A kt kc kr dt dc dr rt rc failed
	for ((i = 0; i <= BENCH_REPS; i++)); do
		for s in "${BENCH_SIZES[@]}"; do
			set -- $s
			name=$1
			[ -n "${failed[$name]:-}" ] && continue
			bench_cmds "$name"
			if ! "$TIMER" "$BENCH_TMP/res" "${KCMD[@]}" \
				>/dev/null 2>"$BENCH_TMP/$name-kerf.err"; then
				failed[$name]=1
				bench_fail "$name-kerf" "${KCMD[*]}"
				continue
			fi
			read -r tk r code ck <"$BENCH_TMP/res"
			if ! "$TIMER" "$BENCH_TMP/res" "${DCMD[@]}" \
				>/dev/null 2>"$BENCH_TMP/$name-dtc.err"; then
				failed[$name]=1
				bench_fail "$name-dtc" "${DCMD[*]}"
				continue
			fi
			[ "$i" -eq 0 ] && continue	# warm-up round
			kt[$name]+=" $tk"
			kc[$name]+=" $ck"
			kr[$name]+=" $r"
			read -r t r code c <"$BENCH_TMP/res"
			dt[$name]+=" $t"
			dc[$name]+=" $c"
			dr[$name]+=" $r"
			rt[$name]+=" $(bench_div "$tk" "$t" '%.5f')"
			rc[$name]+=" $(bench_div "$ck" "$c" '%.5f')"
		done
	done
	for s in "${BENCH_SIZES[@]}"; do
		set -- $s
		name=$1
		if [ -n "${failed[$name]:-}" ]; then
			for i in K_TIME K_CPU K_RSS D_TIME D_CPU D_RSS RATIO_T \
				RATIO_C; do
				eval "$i[\$name]=nan"
			done
			continue
		fi
		K_TIME[$name]=$(bench_list_median "${kt[$name]}")
		K_CPU[$name]=$(bench_list_median "${kc[$name]}")
		K_RSS[$name]=$(bench_list_median "${kr[$name]}")
		D_TIME[$name]=$(bench_list_median "${dt[$name]}")
		D_CPU[$name]=$(bench_list_median "${dc[$name]}")
		D_RSS[$name]=$(bench_list_median "${dr[$name]}")
		RATIO_T[$name]=$(bench_list_median "${rt[$name]}")
		RATIO_C[$name]=$(bench_list_median "${rc[$name]}")
	done
	SCALE_T=nan
	SCALE_C=nan
	if [ -z "${failed[1x]:-}${failed[2x]:-}" ]; then
		SCALE_T=$(bench_list_median \
			"$(bench_list_div "${kt[2x]}" "${kt[1x]}")")
		SCALE_C=$(bench_list_median \
			"$(bench_list_div "${kc[2x]}" "${kc[1x]}")")
	fi
}

# bench_list_div "A1 A2 ..." "B1 B2 ...": "A1/B1 A2/B2 ...".
bench_list_div()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= n; i++)
			printf "%.5f ", (y[i] + 0 ? x[i] / y[i] : 0) }'
}

# bench_list_median "V1 V2 ...": the median of a space-separated list.
bench_list_median()
{
	printf '%s\n' $1 | bench_median
}

# bench_verdict VALUE TARGET: "ok" or "MISSED" (VALUE <= TARGET is met).
bench_verdict()
{
	awk -v v="$1" -v t="$2" 'BEGIN {
		if (v == "nan" || v == "") print "n/a";
		else print (v + 0 <= t + 0) ? "ok" : "MISSED" }'
}

# bench_div A B [FORMAT]
bench_div()
{
	awk -v a="$1" -v b="$2" -v f="${3:-%.3f}" 'BEGIN {
		if (a == "nan" || b == "nan" || b + 0 == 0) print "nan";
		else printf f "\n", a / b }'
}

# bench_fail LABEL WHAT: report a failed command with its stderr.
bench_fail()
{
	echo "FAILED: $2" >&2
	head -n 20 "$BENCH_TMP/$1.err" >&2
	BENCH_FAILED=1
}

# bench_report TITLE KERF_NAME: prints the table from the K_* / D_*
# associative arrays (TIME, CPU, RSS per size) filled by the caller.
bench_report()
{
	local title=$1 kname=$2 s name size tr cr rr
	local row='%-3s %-15s %4d KB %9s %9s %9s %-6s %9s %-6s %7s %7s %5s %s\n'
	echo
	echo "$title"
	echo "$BENCH_REPS rounds of ($kname 1x, dtc 1x, $kname 2x, dtc 2x);" \
		"times are medians, ratios and scaling medians of the" \
		"per-round ratios"
	echo "targets: $kname/dtc time <= 0.10, RSS <= 1.5x dtc's," \
		"2x/1x time <= 2.30"
	printf '%-3s %-15s %7s %9s %9s %9s %-6s %9s %-6s %7s %7s %5s %s\n' \
		"" "cpus/inst/nics" "size" "$kname s" "dtc s" "$kname/dtc" "" \
		"cpu ratio" "" "$kname MiB" "dtc MiB" "RSS x" ""
	for s in "${BENCH_SIZES[@]}"; do
		set -- $s
		name=$1
		shift
		size=$(stat -c %s "$BENCH_TMP/$name.dts")
		if [ -n "${RATIO_T[$name]:-}" ]; then
			tr=$(bench_div "${RATIO_T[$name]}" 1)
			cr=$(bench_div "${RATIO_C[$name]}" 1)
		else
			tr=$(bench_div "${K_TIME[$name]}" "${D_TIME[$name]}")
			cr=$(bench_div "${K_CPU[$name]}" "${D_CPU[$name]}")
		fi
		rr=$(bench_div "${K_RSS[$name]}" "${D_RSS[$name]}" '%.2f')
		printf "$row" "$name" "$2/$4/$6" $((size / 1000)) \
			"${K_TIME[$name]}" "${D_TIME[$name]}" \
			"$tr" "$(bench_verdict "$tr" 0.10)" \
			"$cr" "$(bench_verdict "$cr" 0.10)" \
			"$(bench_div "${K_RSS[$name]}" 1024 '%.1f')" \
			"$(bench_div "${D_RSS[$name]}" 1024 '%.1f')" \
			"$rr" "$(bench_verdict "$rr" 1.5)"
	done
	local ks kc ds is
	if [ -n "${SCALE_T:-}" ]; then
		ks=$(bench_div "$SCALE_T" 1 '%.2f')
		kc=$(bench_div "$SCALE_C" 1 '%.2f')
	else
		ks=$(bench_div "${K_TIME[2x]}" "${K_TIME[1x]}" '%.2f')
		kc=$(bench_div "${K_CPU[2x]}" "${K_CPU[1x]}" '%.2f')
	fi
	ds=$(bench_div "${D_TIME[2x]}" "${D_TIME[1x]}" '%.2f')
	is=$(bench_div "$(stat -c %s "$BENCH_TMP/2x.dts")" \
		"$(stat -c %s "$BENCH_TMP/1x.dts")" '%.2f')
	echo "scaling 2x/1x: $kname $ks $(bench_verdict "$ks" 2.30)," \
		"cpu $kc $(bench_verdict "$kc" 2.30)" \
		"(dtc $ds, input size $is)"
	echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" \
		"on $(nproc) CPUs (wall times are only comparable on an" \
		"idle machine; cpu = user + system time)"
}

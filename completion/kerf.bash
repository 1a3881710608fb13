# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for kerf.
#
# Commands and options come from kerf's own help ('kerf --help', 'kerf help
# CMD'), so they cannot drift from the binary; instance names from
# 'kerf show --format json' (under the --sysroot of the command line).

# _kerf_opts KERF CMD: "SHORT|LONG|ARG" per option of CMD (fields may be
# empty), from the option column of 'kerf help CMD'.
_kerf_opts()
{
	"$1" help "$2" 2>/dev/null |
		sed -nE 's/^  (-([^ -]), |    )--([a-z0-9-]+)(=([A-Za-z-]+))?( .*)?$/\2|\3|\5/p'
}

# _kerf_instances KERF [SYSROOT]: the instance names the kernel has.
_kerf_instances()
{
	"$1" ${2:+--sysroot "$2"} show --format json 2>/dev/null |
		sed -n 's/^      "name": "\([^"]*\)",\{0,1\}$/\1/p'
}

_kerf()
{
	local kerf=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}
	local prev= opt= pfx= cmd= sysroot= i w short long arg
	local -a specs

	# The command: the first word that is neither an option nor the
	# argument of one; the sysroot, for instance names.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--sysroot|--lock-timeout|--format)
			if [[ ${COMP_WORDS[i + 1]} == = ]]; then
				((i++))
			fi
			[[ $w == --sysroot ]] && sysroot=${COMP_WORDS[i + 1]}
			((i++))
			;;
		--sysroot=*)
			sysroot=${w#--sysroot=}
			;;
		-*|=)
			;;
		*)
			cmd=${cmd:-$w}
			;;
		esac
	done

	# An option's value: "--opt VALUE", "--opt=VALUE" (split at '=' by
	# COMP_WORDBREAKS, or not) and "-o VALUE".
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	if [[ $cur == = ]]; then
		opt=$prev
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		opt=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == --*=* ]]; then
		# '=' is not a word break: the reply replaces the whole word
		opt=${cur%%=*}
		pfx=$opt=
		cur=${cur#*=}
	elif [[ $prev == -* ]]; then
		opt=$prev
	fi

	if [[ -z $cmd ]]; then
		case $opt in
		--sysroot)
			COMPREPLY=($(compgen -d -- "$cur"))
			;;
		--format)
			COMPREPLY=($(compgen -W "text json yaml" -- "$cur"))
			;;
		--lock-timeout)
			;;
		*)
			opt=
			;;
		esac
		if [[ $opt ]]; then
			[[ $pfx ]] && COMPREPLY=("${COMPREPLY[@]/#/$pfx}")
			return
		fi
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--sysroot= --verbose --quiet
				--debug --no-unicode --lock-timeout= --format=
				--version --help" -- "$cur"))
			[[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace
		else
			COMPREPLY=($(compgen -W "$("$kerf" --help 2>/dev/null |
				sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')" \
				-- "$cur"))
		fi
		return
	fi
	if [[ $cmd == help ]]; then
		COMPREPLY=($(compgen -W "$("$kerf" --help 2>/dev/null |
			sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')" \
			-- "$cur"))
		return
	fi

	mapfile -t specs < <(_kerf_opts "$kerf" "$cmd")
	if [[ $opt ]]; then
		for w in "${specs[@]}"; do
			IFS='|' read -r short long arg <<<"$w"
			[[ $opt == "--$long" || ($short && $opt == "-$short") ]] ||
				continue
			[[ $arg ]] || break	# a flag: complete as usual
			case $long:$arg in
			format:*)
				COMPREPLY=($(compgen -W "text json yaml" -- "$cur")) ;;
			out-format:*)
				COMPREPLY=($(compgen -W "dtb dts json yaml" -- "$cur")) ;;
			color:*)
				COMPREPLY=($(compgen -W "auto always never" -- "$cur")) ;;
			cpu-affinity:*)
				COMPREPLY=($(compgen -W "compact spread local" -- "$cur")) ;;
			memory-policy:*)
				COMPREPLY=($(compgen -W "local interleave bind" -- "$cur")) ;;
			warning:*)
				COMPREPLY=($(compgen -W "$("$kerf" validate \
					--list-checks 2>/dev/null |
					awk '{ print "no-" $1 }')" -- "$cur")) ;;
			*:DIR)
				COMPREPLY=($(compgen -d -- "$cur")) ;;
			*:FILE|*:PATH|*:OUT)
				COMPREPLY=($(compgen -f -- "$cur")) ;;
			esac
			[[ $pfx ]] && COMPREPLY=("${COMPREPLY[@]/#/$pfx}")
			return
		done
	fi

	if [[ $cur == -* ]]; then
		local -a words=()
		for w in "${specs[@]}"; do
			IFS='|' read -r short long arg <<<"$w"
			words+=("--$long${arg:+=}")
		done
		COMPREPLY=($(compgen -W "${words[*]}" -- "$cur"))
		[[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace
		return
	fi

	case $cmd in
	compile|validate|apply|diff)
		COMPREPLY=($(compgen -f -- "$cur"))
		;;
	load|exec|start|kill|unload|console|delete|update|show)
		COMPREPLY=($(compgen -W "$(_kerf_instances "$kerf" "$sysroot")" \
			-- "$cur"))
		;;
	esac
}

complete -F _kerf kerf

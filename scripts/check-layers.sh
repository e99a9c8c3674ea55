#!/bin/sh
# Fails when a file in lib/ includes a header from a layer above its own.
# The layers, lowest first: core <- io <- stages <- models <- serve, with
# math beside core (math uses core only; everything above core may use
# math).  See lib/README.md.
set -eu
cd "$(dirname "$0")/../lib"
status=0
for file in */*.[ch]; do
	layer=${file%%/*}
	grep -o '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*"' "$file" |
		sed 's/.*"\(.*\)"/\1/' | while read -r header; do
		used=${header%%/*}
		[ "$used" = "$header" ] && {
			echo "lib/$file: include \"$header\" names no layer (write \"LAYER/$header\")"
			exit 1
		}
		allowed=$(case $layer in
			core) echo "core" ;;
			math) echo "core math" ;;
			io) echo "core math io" ;;
			stages) echo "core math io stages" ;;
			models) echo "core math io stages models" ;;
			serve) echo "core math io stages models serve" ;;
			*) echo "" ;;
			esac)
		case " $allowed " in
		*" $used "*) ;;
		*)
			echo "lib/$file: includes \"$header\": $layer may use only: ${allowed:-nothing (unknown layer '$layer')}"
			exit 1
			;;
		esac
	done || status=1
done
[ $status -eq 0 ] && echo "layers: $(ls */*.[ch] | wc -l) files, no include goes up"
exit $status

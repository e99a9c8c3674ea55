# Input that is not CSV text at all: a program binary, random bytes, NUL
# bytes, bytes that are not UTF-8.  Each ends with exit 1 and a message
# naming the file and line, never a crash.
. "$TESTS_DIR/lib.sh"

head -c 2000 /bin/ls > ls.bin
expect_fail 1 '^ml-load: ls\.bin:1: NUL byte \(is this a text file\?\)$' ml-load ls.bin
expect_fail 1 '^ml-info: ls\.bin:1: NUL byte' ml-info ls.bin

# NUL bytes: in a field, alone on a line, inside quotes, and an endless run
# of them (refused at the first one, not after 1 MiB of "field").
printf 'a,b\n1,2\n3,4\0\n' > nul.csv
expect_fail 1 '^ml-load: nul\.csv:3: NUL byte' ml-load nul.csv
printf 'a,b\n1,2\n\0\n' > nul_line.csv
expect_fail 1 '^ml-load: nul_line\.csv:3: NUL byte' ml-load nul_line.csv
printf 'a,b\n1,"x\0y"\n' > nul_quoted.csv
expect_fail 1 '^ml-load: nul_quoted\.csv:2: NUL byte' ml-load nul_quoted.csv
expect_fail 1 '^ml-load: stdin:1: NUL byte' sh -c 'head -c 5000000 /dev/zero | ml-load'

# Bytes that are not UTF-8, in the header and in a value.
printf 'a,\377b\n1,2\n' > bad_header.csv
expect_fail 1 '^ml-load: bad_header\.csv:1: column 2: name is not UTF-8 text' ml-load bad_header.csv
printf 'a,b\n1,x\n2,\303\050\n' > bad_value.csv
expect_fail 1 "^ml-load: bad_value\\.csv:3: column 'b': value is not UTF-8 text" \
	ml-load bad_value.csv

# Random bytes, a few seeds, with quotes (odd seeds) and without: some
# message from the CSV reader, exit 1.
seed=1
while [ $seed -le 20 ]; do
	LC_ALL=C awk -v seed=$seed 'BEGIN { srand(seed);
		for (i = 0; i < 3000; i++) {
			c = int(rand() * 255) + 1
			if (c == 34 && seed % 2 == 0) c = 35
			printf "%c", c } }' > random.bin
	expect_fail 1 '^ml-load: random\.bin:[0-9]+: (NUL byte|malformed quoting|unterminated quoted field|column [0-9]+: name is not UTF-8|row has [0-9]+ fields?, header has)' \
		ml-load random.bin
	seed=$((seed + 1))
done

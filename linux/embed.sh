#!/bin/sh
# Turn a text file into a C string constant: embed.sh NAME FILE > out.c
set -eu
name=$1
file=$2
printf '/* Generated from %s by linux/embed.sh: do not edit. */\n' "$file"
printf 'extern const char %s[];\nconst char %s[] =\n' "$name" "$name"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$file"
printf '\t;\n'

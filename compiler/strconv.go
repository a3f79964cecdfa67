package compiler

import "strconv"

func parseIndex(s string) (int, error) { return strconv.Atoi(s) }

func unquote(s string) (string, error) { return strconv.Unquote(s) }

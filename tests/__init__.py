"""skphase test suite (a package, so that its folders are tests.<subpackage>, never top-level modules such as ``utils`` or ``datasets``)."""

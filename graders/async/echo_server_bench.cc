// Placeholder, replaced by the benchmark.
int main() { return 0; }

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's busy CPU time, for the benchmark's "CPU per GB": a client
 * reads it right before and right after its transfer, so the figure holds
 * the transfer alone (every CPU, both nodes, the kernel's work included)
 * and not process start-up or set-up around it.
 */
#ifndef KZT_CPU_BUSY_H
#define KZT_CPU_BUSY_H

#include <stdio.h>
#include <unistd.h>

/* Seconds of user, nice, system, irq, softirq and steal time so far; -1 on error. */
static inline double cpu_busy_seconds(void)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal;
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice,
		   &sys, &idle, &iowait, &irq, &softirq, &steal);
	fclose(f);
	if (n != 8)
		return -1;
	return (double)(user + nice + sys + irq + softirq + steal) / sysconf(_SC_CLK_TCK);
}

#endif /* KZT_CPU_BUSY_H */

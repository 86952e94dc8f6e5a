/*
 * Closing every descriptor from lowfd up, in a child before exec or in a
 * detached process, so that no lock, channel or shared file stays held.
 */
#ifndef NCHOME_CLOSEFROM_H
#define NCHOME_CLOSEFROM_H

void close_from(int lowfd);

#endif
